use super::*;

#[test]
fn quoting_round_trips_exactly() {
    assert_eq!(spreadsheet_text("=1+1"), "'=1+1");
    assert_eq!(spreadsheet_text("ordinary"), "ordinary");
    assert_eq!(spreadsheet_text("'已有引号"), "'已有引号", "a leading quote before ordinary text is data");
    for v in ["'=x", "''", "'''a", "'\ta", "'", "a'", "=", "-", "'-"] {
        assert_eq!(spreadsheet_unquote(&spreadsheet_text(v)), v, "{v:?}");
    }
}
