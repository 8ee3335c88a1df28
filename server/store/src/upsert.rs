//! The backend-neutral bookkeeping of an import (also of a scenario's planned stations): which row
//! each written station comes from — rows sharing a `source` + `external_id` collapse into one
//! slot, the later row winning —, and the outcome and audit record of what was written.

use super::row;
use super::{ChangeSeq, ImportOutcome};
use crate::audit::AuditRecord;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use yizhan_planner::station::{Station, StationData, StationId};

/// One slot per distinct key (or keyless row), in order of first appearance, holding the index of
/// the row written there (a later row with the same key replaces the earlier one in its slot);
/// and the slot of each key.
pub(super) fn slots(rows: &[StationData]) -> (Vec<usize>, HashMap<(&str, &str), usize>) {
    let mut slots: Vec<usize> = Vec::with_capacity(rows.len());
    let mut slot_of_key: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, data) in rows.iter().enumerate() {
        let Some(key) = row::import_key(data) else {
            slots.push(i);
            continue;
        };
        if let Some(&slot) = slot_of_key.get(&key) {
            slots[slot] = i;
        } else {
            slot_of_key.insert(key, slots.len());
            slots.push(i);
        }
    }
    (slots, slot_of_key)
}

/// The station one slot writes: its id and, for an update, the stored creation time (UTC).
pub(super) type SlotStation = (StationId, Option<DateTime<Utc>>);

/// Per slot, the station written: the stored one the slot's key matched (`existing`, by slot, id
/// and creation time), else a new id following `last_id`, in slot order. Also the last id so
/// given (`last_id` when none was).
pub(super) fn assign_ids(
    existing: &[Option<(StationId, DateTime<Utc>)>],
    last_id: StationId,
) -> (Vec<SlotStation>, StationId) {
    let mut next_id = last_id;
    let written = existing
        .iter()
        .map(|found| {
            if let Some((id, created)) = *found {
                (id, Some(created))
            } else {
                next_id += 1;
                (next_id, None)
            }
        })
        .collect();
    (written, next_id)
}

/// What an import wrote inside its transaction (not committed yet).
#[derive(Debug, Default)]
pub(super) struct Written {
    /// Per slot: the index of the row written.
    pub slots: Vec<usize>,
    /// Per slot: the station id written and, for an update, the stored creation time.
    pub stations: Vec<SlotStation>,
    /// Districts and streets the database filled in from its boundaries (PostGIS), by id.
    pub assigned: HashMap<StationId, (Option<String>, Option<String>)>,
    /// The last change-log entry before the write and the last one it appended.
    pub log: (ChangeSeq, ChangeSeq),
}

impl Written {
    /// The ids written, in slot order.
    pub fn ids(&self) -> Vec<StationId> {
        self.stations.iter().map(|(id, _)| *id).collect()
    }

    /// The ids of the created (`true`) or updated (`false`) stations, in slot order.
    pub fn ids_created(&self, created: bool) -> Vec<StationId> {
        self.stations.iter().filter(|(_, c)| c.is_none() == created).map(|(id, _)| *id).collect()
    }

    /// The `station.import` audit record of an import of `rows` rows.
    pub fn audit_record(&self, rows: usize) -> AuditRecord {
        AuditRecord::import(rows, &self.ids_created(true), &self.ids_created(false))
    }

    /// The outcome, handing the rows over without copying them; `now` is the write's time.
    pub fn into_outcome(mut self, rows: Vec<StationData>, now: DateTime<Utc>) -> ImportOutcome {
        let mut rows: Vec<Option<StationData>> = rows.into_iter().map(Some).collect();
        let mut outcome = ImportOutcome { log: self.log, ..ImportOutcome::default() };
        for (&row_index, &(id, created)) in self.slots.iter().zip(&self.stations) {
            let Some(mut data) = rows.get_mut(row_index).and_then(Option::take) else { continue };
            if let Some((district, street)) = self.assigned.remove(&id) {
                data.district = district;
                data.street = street;
            }
            match created {
                Some(created_at) => outcome.updated.push(Station { id, data, created_at, updated_at: now }),
                None => outcome.created.push(Station { id, data, created_at: now, updated_at: now }),
            }
        }
        outcome
    }
}
