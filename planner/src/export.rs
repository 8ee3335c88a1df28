//! Export of stations to GeoJSON and to Excel-friendly CSV (UTF-8 with BOM).
