//! The seeded, synthetic demo data set for 兖州区 (Yanzhou district, Jining, Shandong).
