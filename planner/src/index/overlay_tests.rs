#![allow(clippy::unwrap_used)]

use super::*;
use crate::geodesy::LonLat;
use crate::station::{StationData, StationKind, StationStatus};
use chrono::{TimeZone, Utc};
use proptest::prelude::*;

fn station(id: i64) -> Arc<Station> {
    Arc::new(Station {
        id,
        data: StationData {
            kind: StationKind::RestStation,
            name: format!("驿站{id}"),
            address: None,
            district: None,
            street: None,
            location: LonLat::new(116.8, 35.5).unwrap(),
            amenities: crate::amenity::AmenitySet::EMPTY,
            opening_hours: None,
            capacity: None,
            operator: None,
            phone: None,
            offer: None,
            status: StationStatus::Active,
            source: None,
            external_id: None,
            verified_on: None,
        },
        created_at: Utc.timestamp_opt(0, 0).unwrap(),
        updated_at: Utc.timestamp_opt(0, 0).unwrap(),
    })
}

#[test]
fn dead_slots_are_persistent() {
    let mut a = DeadSlots::default();
    assert!(!a.contains(0));
    assert!(a.insert(5000));
    assert!(!a.insert(5000));
    let mut b = a.clone();
    assert!(b.insert(5001));
    assert!(b.insert(3));
    assert!(b.insert(70_000));
    assert_eq!((a.len(), b.len()), (1, 4));
    assert!(a.contains(5000) && !a.contains(5001) && !a.contains(3) && !a.contains(70_000));
    assert!(b.contains(5000) && b.contains(5001) && b.contains(3) && b.contains(70_000));
    assert!(!b.contains(4999) && !b.contains(u32::MAX));
}

proptest! {
    /// Any interleaving of front and back pulls yields the sorted union of two disjoint sorted
    /// streams, each element once.
    #[test]
    fn merge_is_double_ended(ids in proptest::collection::btree_set(0i64..200, 0..40),
                             split in proptest::collection::vec(any::<bool>(), 40),
                             pulls in proptest::collection::vec(any::<bool>(), 45)) {
        // 45 pulls for at most 39 elements: every element comes out, then only `None`.
        let all: Vec<Arc<Station>> = ids.iter().map(|&id| station(id)).collect();
        let a: Vec<&Arc<Station>> = all.iter().enumerate().filter(|(i, _)| split[*i]).map(|(_, s)| s).collect();
        let b: Vec<&Arc<Station>> = all.iter().enumerate().filter(|(i, _)| !split[*i]).map(|(_, s)| s).collect();
        let mut m = Merge {
            a: a.iter().copied(),
            b: b.iter().copied(),
            a_front: None,
            a_back: None,
            b_front: None,
            b_back: None,
            remaining: all.len(),
        };
        let (mut front, mut back) = (Vec::new(), Vec::new());
        for &from_back in &pulls {
            let got = if from_back { m.next_back() } else { m.next() };
            match got {
                Some(s) if from_back => back.push(s.id),
                Some(s) => front.push(s.id),
                None => {}
            }
        }
        back.reverse();
        front.extend(back);
        prop_assert_eq!(front, ids.iter().copied().collect::<Vec<_>>());
    }
}
