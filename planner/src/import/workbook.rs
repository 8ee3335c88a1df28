//! Excel workbooks (`.xlsx`, `.xls`) through calamine, from memory: the chosen sheet's cells as
//! the text a CSV would hold, then the same header and row rules as CSV ([`super::table`]).
//!
//! Before calamine reads a workbook, what reading it may cost is bounded: an `.xlsx` archive is
//! unpacked once into nothing, counting its bytes ([`MAX_WORKBOOK_UNPACKED_BYTES`]), and an `.xls`
//! container is checked by [`super::xls_guard`]. A panic inside calamine on a damaged file is
//! caught and reported as [`ImportError::Malformed`].

use super::table::Tabulator;
use super::{Format, ImportError, ImportOptions, ImportPreview, xls_guard};
use calamine::{Data, DataRef, ExcelDateTime, Reader, Xls, Xlsx};
use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// An `.xlsx` file whose parts unpack to more than this many bytes (256 MiB) in all is refused
/// before it is read: a few megabytes of archive can otherwise unpack to gigabytes.
pub const MAX_WORKBOOK_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const CFB_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

fn malformed(message: impl Into<String>) -> ImportError {
    ImportError::Malformed { line: None, message: message.into() }
}

pub(super) fn preview(bytes: &[u8], opts: &ImportOptions) -> Result<ImportPreview, ImportError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    sniff(bytes, opts.format)?;
    // The bounds are checked outside the catch below: a fault of theirs is not calamine's.
    match opts.format {
        Format::Xls => xls_guard::check(bytes)?,
        _ => check_unpacked_size(bytes)?,
    }
    let read = || match opts.format {
        Format::Xls => read_xls(bytes, opts),
        _ => read_xlsx(bytes, opts),
    };
    match catch_unwind(AssertUnwindSafe(read)) {
        Ok(r) => r,
        Err(_) => Err(malformed(format!(
            "the workbook is damaged: it could not be read as .{}; open it in a spreadsheet and save it again",
            opts.format
        ))),
    }
}

/// Refuses bytes that are not the workbook format asked for, saying what they seem to be.
fn sniff(bytes: &[u8], format: Format) -> Result<(), ImportError> {
    let zip = bytes.starts_with(ZIP_MAGIC);
    let cfb = bytes.starts_with(CFB_MAGIC);
    match (format, zip, cfb) {
        (Format::Xlsx, true, _) | (Format::Xls, _, true) => Ok(()),
        (Format::Xlsx, _, true) => Err(malformed(
            "the file is not an .xlsx workbook but an Excel 97–2003 (.xls) file or a password-protected workbook: \
             give the format xls, or save it without a password",
        )),
        (Format::Xls, true, _) => Err(malformed("the file is an .xlsx workbook, not .xls: give the format xlsx")),
        _ => {
            let text = std::str::from_utf8(&bytes[..bytes.len().min(512)]).is_ok_and(|t| !t.contains('\0'));
            let hint = if text { "; it looks like text: if it is CSV or GeoJSON, give that format" } else { "" };
            Err(malformed(format!("the file is not an Excel workbook (.{format}){hint}")))
        }
    }
}

/// The sheet to read: the one named, else the first.
fn choose_sheet(names: Vec<String>, wanted: Option<&str>) -> Result<String, ImportError> {
    let Some(wanted) = wanted else {
        return names.into_iter().next().ok_or_else(|| malformed("the workbook has no worksheet"));
    };
    if let Some(n) = names.iter().find(|n| *n == wanted).or_else(|| names.iter().find(|n| n.trim() == wanted.trim())) {
        return Ok(n.clone());
    }
    let list = names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    Err(malformed(format!("the workbook has no sheet named {wanted:?}; its sheets are: {list}")))
}

/// `A`, `B`, … `Z`, `AA`… for a 0-based column.
pub(super) fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A date or time cell as text: `YYYY-MM-DD` for a date (a date with a time keeps the date),
/// `HH:MM` (or `HH:MM:SS`) for a time of day or a duration.
fn date_time_text(d: &ExcelDateTime) -> String {
    let v = d.as_f64();
    if d.is_duration() || (0.0..1.0).contains(&v) {
        let secs = (v.abs() * 86_400.0).round() as u64;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        let sign = if v < 0.0 { "-" } else { "" };
        return if s == 0 { format!("{sign}{h:02}:{m:02}") } else { format!("{sign}{h:02}:{m:02}:{s:02}") };
    }
    let (y, mo, day, ..) = d.to_ymd_hms_milli();
    format!("{y:04}-{mo:02}-{day:02}")
}

/// A number cell as text: whole numbers without a decimal point (a telephone number stored as a
/// number stays all digits), others in the shortest form that reads back to the same value.
fn number_text(x: f64) -> String {
    if x == 0.0 { "0".to_owned() } else { x.to_string() }
}

/// An ISO 8601 date-time cell: the date alone when the time is midnight.
fn iso_text(s: &str) -> &str {
    match s.split_once('T') {
        Some((date, time)) if time.chars().all(|c| matches!(c, '0' | ':' | '.' | 'Z')) => date,
        _ => s,
    }
}

/// One cell: its text, or why it has none (a spreadsheet error), or nothing for an empty cell.
enum CellText<'a> {
    Text(Cow<'a, str>),
    Bad(String),
    Empty,
}

fn error_text(e: &calamine::CellErrorType, row: u32, col: u32) -> String {
    format!(
        "cell {}{} holds the spreadsheet error {e}; correct the formula or clear the cell",
        column_letters(col as usize),
        u64::from(row) + 1
    )
}

fn data_ref_text(v: DataRef<'_>, row: u32, col: u32) -> CellText<'_> {
    match v {
        DataRef::Empty => CellText::Empty,
        DataRef::String(s) => CellText::Text(Cow::Owned(s)),
        DataRef::SharedString(s) => CellText::Text(Cow::Borrowed(s)),
        DataRef::Int(i) => CellText::Text(Cow::Owned(i.to_string())),
        DataRef::Float(x) => CellText::Text(Cow::Owned(number_text(x))),
        DataRef::Bool(b) => CellText::Text(Cow::Borrowed(if b { "TRUE" } else { "FALSE" })),
        DataRef::DateTime(d) => CellText::Text(Cow::Owned(date_time_text(&d))),
        DataRef::DateTimeIso(s) => CellText::Text(Cow::Owned(iso_text(&s).to_owned())),
        DataRef::DurationIso(s) => CellText::Text(Cow::Owned(s)),
        DataRef::Error(e) => CellText::Bad(error_text(&e, row, col)),
    }
}

fn data_text(v: &Data, row: u32, col: u32) -> CellText<'_> {
    match v {
        Data::Empty => CellText::Empty,
        Data::String(s) => CellText::Text(Cow::Borrowed(s)),
        Data::Int(i) => CellText::Text(Cow::Owned(i.to_string())),
        Data::Float(x) => CellText::Text(Cow::Owned(number_text(*x))),
        Data::Bool(b) => CellText::Text(Cow::Borrowed(if *b { "TRUE" } else { "FALSE" })),
        Data::DateTime(d) => CellText::Text(Cow::Owned(date_time_text(d))),
        Data::DateTimeIso(s) => CellText::Text(Cow::Borrowed(iso_text(s))),
        Data::DurationIso(s) => CellText::Text(Cow::Borrowed(s)),
        Data::Error(e) => CellText::Bad(error_text(e, row, col)),
    }
}

/// The cells of one sheet row, gathered as they are read.
#[derive(Default)]
struct RowBuf<'a> {
    row: u32,
    cells: Vec<(usize, Cow<'a, str>)>,
    bad: Vec<(usize, String)>,
}

impl<'a> RowBuf<'a> {
    fn add(&mut self, col: u32, v: CellText<'a>) {
        match v {
            CellText::Text(t) if !t.trim().is_empty() => self.cells.push((col as usize, t)),
            CellText::Bad(why) => self.bad.push((col as usize, why)),
            CellText::Text(_) | CellText::Empty => {}
        }
    }

    /// Hands the row to `table` (line = the sheet's 1-based row number) and empties it.
    fn flush(&mut self, table: &mut Tabulator<'_>) -> Result<(), ImportError> {
        if self.cells.is_empty() && self.bad.is_empty() {
            return Ok(());
        }
        self.cells.sort_by_key(|(c, _)| *c);
        self.cells.dedup_by_key(|(c, _)| *c);
        let cells: Vec<(usize, &str)> = self.cells.iter().map(|(c, t)| (*c, t.as_ref())).collect();
        let r = table.push(u64::from(self.row) + 1, cells.len(), &cells, &self.bad);
        self.cells.clear();
        self.bad.clear();
        r
    }
}

/// Unpacks every part of an `.xlsx` archive into nothing, refusing it past
/// [`MAX_WORKBOOK_UNPACKED_BYTES`] (the sizes the archive declares are not trusted).
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ImportError> {
    let damaged = |e: &dyn std::fmt::Display| malformed(format!("the .xlsx archive is damaged: {e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    let mut left = MAX_WORKBOOK_UNPACKED_BYTES;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| damaged(&e))?;
        let n = std::io::copy(&mut (&mut part).take(left + 1), &mut std::io::sink()).map_err(|e| damaged(&e))?;
        if n > left {
            return Err(malformed(format!(
                "the workbook unpacks to more than {} MiB; split it, or save it as CSV",
                MAX_WORKBOOK_UNPACKED_BYTES / (1024 * 1024)
            )));
        }
        left -= n;
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], opts: &ImportOptions) -> Result<ImportPreview, ImportError> {
    let mut wb: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| malformed(format!("the .xlsx workbook cannot be read: {e}")))?;
    let sheet = choose_sheet(wb.sheet_names(), opts.sheet.as_deref())?;
    let mut table = Tabulator::new(opts, false);
    {
        let mut reader =
            wb.worksheet_cells_reader(&sheet).map_err(|e| malformed(format!("sheet {sheet:?} cannot be read: {e}")))?;
        let mut row = RowBuf::default();
        while let Some(cell) =
            reader.next_cell().map_err(|e| malformed(format!("sheet {sheet:?} cannot be read: {e}")))?
        {
            let (r, c) = cell.get_position();
            if r != row.row {
                if r < row.row {
                    return Err(malformed(format!(
                        "sheet {sheet:?} lists row {} after row {}; open the workbook in a spreadsheet and save it again",
                        u64::from(r) + 1,
                        u64::from(row.row) + 1
                    )));
                }
                row.flush(&mut table)?;
                row.row = r;
            }
            row.add(c, data_ref_text(cell.get_value().clone(), r, c));
        }
        row.flush(&mut table)?;
    }
    finish(table, wb.sheet_names(), sheet, Format::Xlsx)
}

fn read_xls(bytes: &[u8], opts: &ImportOptions) -> Result<ImportPreview, ImportError> {
    let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => malformed("the workbook is password-protected; save it without a password"),
        e => malformed(format!("the .xls workbook cannot be read: {e}")),
    })?;
    let names = wb.sheet_names();
    let sheet = choose_sheet(names.clone(), opts.sheet.as_deref())?;
    let range = wb.worksheet_range(&sheet).map_err(|e| malformed(format!("sheet {sheet:?} cannot be read: {e}")))?;
    // The range is a copy of the sheet: let the workbook's own go.
    drop(wb);
    let mut table = Tabulator::new(opts, false);
    if let Some((r0, c0)) = range.start() {
        for (dr, cells) in range.rows().enumerate() {
            let r = r0 + dr as u32;
            let mut row = RowBuf { row: r, ..RowBuf::default() };
            for (dc, v) in cells.iter().enumerate() {
                let c = c0 + dc as u32;
                row.add(c, data_text(v, r, c));
            }
            row.flush(&mut table)?;
        }
    }
    finish(table, names, sheet, Format::Xls)
}

fn finish(
    table: Tabulator<'_>,
    names: Vec<String>,
    sheet: String,
    format: Format,
) -> Result<ImportPreview, ImportError> {
    if !table.saw_rows() {
        let others: Vec<String> = names.iter().filter(|n| **n != sheet).map(|n| format!("{n:?}")).collect();
        let hint =
            if others.is_empty() { String::new() } else { format!("; the other sheets are: {}", others.join(", ")) };
        return Err(malformed(format!("sheet {sheet:?} is empty{hint}")));
    }
    table.finish(format, Some(sheet))
}

#[cfg(test)]
#[path = "workbook_tests.rs"]
pub(super) mod tests;
