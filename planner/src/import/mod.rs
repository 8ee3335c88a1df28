//! Import of station files: CSV (English or Chinese headers; UTF-8 with or without BOM, GBK,
//! GB18030) and GeoJSON, in WGS-84, GCJ-02 or BD-09. All-or-nothing: any bad row fails the whole
//! file with every problem listed by line and column.
