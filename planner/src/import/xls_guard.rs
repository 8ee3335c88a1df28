//! A check of an `.xls` file before calamine reads it. An `.xls` is a Compound File Binary
//! container (MS-CFB) holding a `Workbook` stream of BIFF records (MS-XLS). calamine reads every
//! sheet of it at once and sizes its tables from what the file claims: a sheet's `DIMENSIONS`
//! record and the bounding box of its cells. A file of a few hundred bytes can claim billions of
//! cells, and a container whose sector chains loop or point past the file can make a reader loop
//! or fail. So the container is walked here the way calamine walks it, refusing any chain that
//! loops or leaves the file, and the records of every sheet are scanned for the cells they claim:
//! more than [`MAX_XLS_CELLS`] in all sheets together refuses the file.

use super::ImportError;

/// The used ranges of all sheets of an `.xls` file together may hold at most this many cells
/// (2²⁰, a full 65,536-row sheet of 16 columns); a file claiming more is refused.
pub const MAX_XLS_CELLS: u64 = 1 << 20;

const SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Sector ids from this one on are markers, not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
/// Streams shorter than this live in the mini stream (MS-CFB 2.2).
const MINI_CUTOFF: usize = 4096;
const MINI_SECTOR: usize = 64;

fn malformed(message: impl Into<String>) -> ImportError {
    ImportError::Malformed { line: None, message: message.into() }
}

fn damaged(what: &str) -> ImportError {
    malformed(format!("the .xls workbook is damaged ({what}); open it in a spreadsheet and save it again"))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// Refuses an `.xls` file whose container calamine could not walk safely, or whose sheets claim
/// more than [`MAX_XLS_CELLS`] cells.
///
/// # Errors
/// [`ImportError::Malformed`] saying why.
pub(super) fn check(bytes: &[u8]) -> Result<(), ImportError> {
    let stream = workbook_stream(bytes)?;
    let cells = claimed_cells(&stream)?;
    if cells > MAX_XLS_CELLS {
        return Err(malformed(format!(
            "the .xls workbook's sheets claim {cells} cells, more than {MAX_XLS_CELLS}; save it as .xlsx or CSV, or \
             split it"
        )));
    }
    Ok(())
}

/// The container: its sectors and sector allocation table.
struct Container<'b> {
    bytes: &'b [u8],
    sector: usize,
    fat: Vec<u32>,
}

impl<'b> Container<'b> {
    /// Sector `id`, which must start inside the file (the last one may be cut short, as readers
    /// allow).
    fn sector(&self, id: u32) -> Option<&'b [u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(self.sector)?;
        if start >= self.bytes.len() {
            return None;
        }
        Some(&self.bytes[start..(start + self.sector).min(self.bytes.len())])
    }

    /// The bytes of the chain starting at `id`, at most `len`; the chain must end (or reach
    /// `len`) without looping and every sector of it must be in the file and in the table.
    fn chain(&self, mut id: u32, len: usize) -> Result<Vec<u8>, ImportError> {
        let mut out = Vec::new();
        let mut seen = vec![false; self.fat.len()];
        while id != ENDOFCHAIN {
            let sector = self.sector(id).ok_or_else(|| damaged("a sector chain leaves the file"))?;
            out.extend_from_slice(&sector[..sector.len().min(len - out.len())]);
            if out.len() >= len {
                break;
            }
            let i = id as usize;
            if i >= seen.len() || seen[i] {
                return Err(damaged("a sector chain loops or leaves the allocation table"));
            }
            seen[i] = true;
            id = self.fat[i];
        }
        Ok(out)
    }
}

/// One directory entry: name, first sector, length in bytes.
struct Entry {
    name: String,
    start: u32,
    len: usize,
}

/// The `Workbook` (BIFF8) or `Book` (BIFF5) stream, read as calamine reads it.
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, ImportError> {
    if bytes.len() < 512 || !bytes.starts_with(SIGNATURE) {
        return Err(malformed("the file is not an Excel 97–2003 workbook (.xls)"));
    }
    let header = |at| u32_at(bytes, at).unwrap_or(0);
    let sector = match u16_at(bytes, 30) {
        Some(9) => 512,
        Some(12) if bytes.len() >= 4096 => 4096,
        _ => return Err(damaged("sector size")),
    };
    if u16_at(bytes, 32) != Some(6) {
        return Err(damaged("mini sector size"));
    }
    let version = u16_at(bytes, 26).unwrap_or(0);
    let mut c = Container { bytes, sector, fat: Vec::new() };

    // The sector ids of the allocation table: 109 in the header, then a chain of DIFAT sectors
    // whose last word points at the next.
    let mut difat: Vec<u32> = words(&bytes[76..512]).collect();
    let mut id = header(68);
    let mut difat_sectors = 0usize;
    while id < RESERVED {
        difat_sectors += 1;
        if difat_sectors > bytes.len() / sector + 1 {
            return Err(damaged("the DIFAT chain loops"));
        }
        let s = c.sector(id).ok_or_else(|| damaged("a DIFAT sector leaves the file"))?;
        difat.extend(words(s));
        id = difat.pop().ok_or_else(|| damaged("an empty DIFAT sector"))?;
    }
    let mut fat = Vec::new();
    for id in difat.into_iter().filter(|&id| id < DIFSECT) {
        let s = c.sector(id).ok_or_else(|| damaged("an allocation-table sector leaves the file"))?;
        fat.extend(words(s));
    }
    c.fat = fat;

    let dirs = c.chain(header(48), usize::MAX)?;
    let entries: Vec<Entry> = dirs
        .chunks_exact(128)
        .map(|d| {
            let units: Vec<u16> = d[..64].chunks_exact(2).map(|u| u16::from_le_bytes([u[0], u[1]])).collect();
            let mut name = String::from_utf16_lossy(&units);
            if let Some(end) = name.find('\0') {
                name.truncate(end);
            }
            let start = u32_at(d, 116).unwrap_or(ENDOFCHAIN);
            let len = if sector == 512 {
                u32_at(d, 120).map_or(0, |l| l as usize)
            } else {
                u64_at(d, 120).map_or(0, |l| usize::try_from(l).unwrap_or(usize::MAX))
            };
            Entry { name, start, len }
        })
        .collect();
    let Some(root) = entries.first() else {
        return Err(damaged("no directory"));
    };
    if version != 3 && root.start == ENDOFCHAIN {
        return Err(damaged("no root directory"));
    }
    let mini_fat_len = header(64) as usize;
    let (mini_stream, mini_fat) = if mini_fat_len > 0 {
        let mini_stream = c.chain(root.start, root.len)?;
        let mini_fat: Vec<u32> = words(&c.chain(header(60), mini_fat_len.saturating_mul(sector))?).collect();
        (mini_stream, mini_fat)
    } else {
        (Vec::new(), Vec::new())
    };
    let find = |name: &str| entries.iter().find(|e| e.name.eq_ignore_ascii_case(name));
    let read = |e: &Entry| -> Result<Vec<u8>, ImportError> {
        if e.len >= MINI_CUTOFF {
            return c.chain(e.start, e.len);
        }
        let mut out = Vec::with_capacity(e.len);
        let mut seen = vec![false; mini_fat.len()];
        let mut id = e.start;
        while id != ENDOFCHAIN {
            let i = id as usize;
            let s = i
                .checked_mul(MINI_SECTOR)
                .and_then(|start| mini_stream.get(start..start + MINI_SECTOR))
                .ok_or_else(|| damaged("a mini sector leaves the mini stream"))?;
            out.extend_from_slice(&s[..MINI_SECTOR.min(e.len - out.len())]);
            if out.len() >= e.len {
                break;
            }
            if i >= seen.len() || seen[i] {
                return Err(damaged("a mini sector chain loops or leaves its table"));
            }
            seen[i] = true;
            id = mini_fat[i];
        }
        Ok(out)
    };
    // calamine tries `Workbook`, and `Book` if that fails.
    match find("Workbook").map(read) {
        Some(Ok(s)) => Ok(s),
        first => match find("Book").map(read) {
            Some(r) => r,
            None => match first {
                Some(Err(e)) => Err(e),
                _ => Err(malformed("the file is not an Excel workbook: it holds no Workbook stream")),
            },
        },
    }
}

/// BIFF records as calamine's reader splits them: type, data; `CONTINUE` records that follow a
/// record belong to it.
struct Records<'s> {
    stream: &'s [u8],
}

impl<'s> Iterator for Records<'s> {
    type Item = (u16, &'s [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.stream, 0)?;
        let len = usize::from(u16_at(self.stream, 2)?);
        let data = self.stream.get(4..4 + len)?;
        self.stream = &self.stream[4 + len..];
        while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(0x003C) {
            let len = usize::from(u16_at(self.stream, 2)?);
            if self.stream.len() < len + 4 {
                return None;
            }
            self.stream = &self.stream[4 + len..];
        }
        Some((typ, data))
    }
}

/// Rows and columns a sheet's records reach.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Extent {
    fn add(&mut self, row: u32, col_first: u32, col_last: u32) {
        let widen = |r: &mut Option<(u32, u32)>, lo: u32, hi: u32| {
            *r = Some(r.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        };
        widen(&mut self.rows, row, row);
        widen(&mut self.cols, col_first, col_last);
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => (u64::from(r1 - r0) + 1) * (u64::from(c1 - c0) + 1),
            _ => 0,
        }
    }
}

/// The cells the sheets of a `Workbook` stream claim: for each sheet (found as calamine finds
/// them, from the `BOUNDSHEET` records), what its `DIMENSIONS` records reserve plus the bounding
/// box of its cells.
fn claimed_cells(stream: &[u8]) -> Result<u64, ImportError> {
    let mut sheets = Vec::new();
    for (typ, data) in (Records { stream }) {
        match typ {
            0x0085 => sheets.push(u32_at(data, 0).map_or(usize::MAX, |p| p as usize)),
            0x000A => break,
            _ => {}
        }
    }
    let mut total = 0u64;
    for pos in sheets {
        let Some(sheet) = stream.get(pos..) else {
            return Err(damaged("a sheet starts past the end of the workbook"));
        };
        let mut extent = Extent::default();
        let mut reserved = 0u64;
        let (mut seen_bof, mut depth) = (false, 0usize);
        for (typ, d) in (Records { stream: sheet }) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let cell = |extent: &mut Extent| {
                if let (Some(r), Some(c)) = (u16_at(d, 0), u16_at(d, 2)) {
                    extent.add(u32::from(r), u32::from(c), u32::from(c));
                }
            };
            match typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x0200 => reserved = reserved.saturating_add(dimensions(d)?),
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => cell(&mut extent),
                0x00BD => {
                    if let (Some(r), Some(first), Some(last)) =
                        (u16_at(d, 0), u16_at(d, 2), d.len().checked_sub(2).and_then(|at| u16_at(d, at)))
                        && first <= last
                    {
                        extent.add(u32::from(r), u32::from(first), u32::from(last));
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        total = total.saturating_add(reserved).saturating_add(extent.cells());
    }
    Ok(total)
}

/// The cells calamine reserves for a `DIMENSIONS` record (MS-XLS 2.4.90): rows × columns of the
/// range it states, computed as calamine computes them.
fn dimensions(d: &[u8]) -> Result<u64, ImportError> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (
            u32::from(u16_at(d, 0).unwrap_or(0)),
            u32::from(u16_at(d, 2).unwrap_or(0)),
            u32::from(u16_at(d, 4).unwrap_or(0)),
            u32::from(u16_at(d, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(d, 0).unwrap_or(0),
            u32_at(d, 4).unwrap_or(0),
            u32::from(u16_at(d, 8).unwrap_or(0)),
            u32::from(u16_at(d, 10).unwrap_or(0)),
        ),
        // calamine refuses other lengths itself.
        _ => return Ok(0),
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    if rl == 0 || cl == 0 {
        return Ok(1);
    }
    let (Some(rows), Some(cols)) = ((rl - 1).checked_sub(rf), (cl - 1).checked_sub(cf)) else {
        return Err(damaged("a sheet's stated range ends before it starts"));
    };
    Ok((u64::from(rows) + 1) * (u64::from(cols) + 1))
}

#[cfg(test)]
#[path = "xls_guard_tests.rs"]
mod tests;
