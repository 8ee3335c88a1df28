//! The `.xls` check on the generated fixture and on copies of it patched the way hostile files
//! are: ranges of billions of cells, loops in the container, sheets past the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::{MAX_XLS_CELLS, check, claimed_cells, workbook_stream};
use crate::import::workbook::tests::fixture;
use crate::import::{Format, ImportError, ImportOptions, preview_stations};

fn xls() -> Vec<u8> {
    fixture("yanzhou-ledger.xls")
}

/// Offsets in `bytes` where a BIFF record of type `typ` and length `len` starts.
fn records(bytes: &[u8], typ: u16, len: u16) -> Vec<usize> {
    let mut head = typ.to_le_bytes().to_vec();
    head.extend_from_slice(&len.to_le_bytes());
    bytes.windows(4).enumerate().filter(|(_, w)| *w == head.as_slice()).map(|(i, _)| i).collect()
}

fn refusal(bytes: &[u8]) -> String {
    match check(bytes) {
        Err(ImportError::Malformed { line: None, message }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The importer refuses the file too (rather than letting calamine allocate or loop).
fn import_refuses(bytes: &[u8]) {
    let o = ImportOptions { format: Format::Xls, source: Some("s".into()), ..ImportOptions::default() };
    assert!(matches!(preview_stations(bytes, &o), Err(ImportError::Malformed { .. })));
}

#[test]
fn the_fixture_claims_what_its_sheets_hold() {
    let bytes = xls();
    check(&bytes).unwrap();
    // 驿站: rows 1–5 × columns A–I (title, header, three stations), stated by DIMENSIONS and
    // reached by the cells: 45 + 45. 充电柜: rows 1–2 × A–E: 10 + 10.
    assert_eq!(claimed_cells(&workbook_stream(&bytes).unwrap()).unwrap(), 110);
    assert_eq!(records(&bytes, 0x0200, 14).len(), 2, "one DIMENSIONS record per sheet");
}

#[test]
fn a_stated_range_of_billions_of_cells_is_refused() {
    let mut bytes = xls();
    let at = records(&bytes, 0x0200, 14)[0];
    // rwMac (one past the last row) = 2³² − 1.
    bytes[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let m = refusal(&bytes);
    assert!(m.starts_with("the .xls workbook's sheets claim "), "{m}");
    assert!(m.contains(&format!("more than {MAX_XLS_CELLS}")), "{m}");
    import_refuses(&bytes);
}

#[test]
fn a_stated_range_that_ends_before_it_starts_is_refused() {
    let mut bytes = xls();
    let at = records(&bytes, 0x0200, 14)[0];
    // rwMic = 100 with rwMac = 5.
    bytes[at + 4..at + 8].copy_from_slice(&100u32.to_le_bytes());
    assert!(refusal(&bytes).contains("a sheet's stated range ends before it starts"));
    import_refuses(&bytes);
}

#[test]
fn a_cell_far_away_is_refused() {
    let mut bytes = xls();
    // The first NUMBER record: move its cell to row 65536, column IV.
    let at = records(&bytes, 0x0203, 14)[0];
    bytes[at + 4..at + 6].copy_from_slice(&u16::MAX.to_le_bytes());
    bytes[at + 6..at + 8].copy_from_slice(&255u16.to_le_bytes());
    assert!(refusal(&bytes).starts_with("the .xls workbook's sheets claim "));
    import_refuses(&bytes);
}

#[test]
fn a_sheet_past_the_end_of_the_stream_is_refused() {
    let mut bytes = xls();
    let sheets: Vec<usize> = (8..=20).flat_map(|len| records(&bytes, 0x0085, len)).collect();
    assert_eq!(sheets.len(), 2, "one BOUNDSHEET record per sheet");
    bytes[sheets[0] + 4..sheets[0] + 8].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    assert!(refusal(&bytes).contains("a sheet starts past the end of the workbook"));
    import_refuses(&bytes);
}

#[test]
fn a_looping_sector_chain_is_refused() {
    let mut bytes = xls();
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    // The directory's first sector, and the allocation-table sector (512-byte sectors).
    let dir = u32_at(&bytes, 48) as usize;
    let fat = u32_at(&bytes, 76) as usize;
    let entry = (fat + 1) * 512 + 4 * dir;
    bytes[entry..entry + 4].copy_from_slice(&(dir as u32).to_le_bytes());
    assert!(refusal(&bytes).contains("a sector chain loops"));
    import_refuses(&bytes);
    // A chain that points past the file.
    let mut bytes = xls();
    bytes[entry..entry + 4].copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
    assert!(refusal(&bytes).contains("leaves"), "{}", refusal(&bytes));
}

#[test]
fn not_a_container_and_cut_short() {
    assert_eq!(refusal(b"not an xls"), "the file is not an Excel 97–2003 workbook (.xls)");
    let bytes = xls();
    assert_eq!(refusal(&bytes[..511]), "the file is not an Excel 97–2003 workbook (.xls)");
    assert!(check(&bytes[..600]).is_err());
    // The check itself never panics, whatever a byte holds.
    for at in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[at] ^= 0xFF;
        assert!(std::panic::catch_unwind(|| check(&bad)).is_ok(), "byte {at}");
    }
}
