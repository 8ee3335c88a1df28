//! Opening hours as station keepers write them in spreadsheets — `全天`, `周一至周五 8:00-18:00`,
//! `8:00-12:00，14:00-18:00`, `工作日 9点-17点；周末休息` — converted to OpenStreetMap
//! `opening_hours` syntax (`24/7`, `Mo-Fr 08:00-18:00`, `08:00-12:00,14:00-18:00`,
//! `Mo-Fr 09:00-17:00; Sa,Su off`).
//!
//! Understood: `全天` / `24小时` (all day; alone it means `24/7`); days `每天` / `每日` / `天天`,
//! `工作日`, `周末` / `双休日`, `周一`…`周日` (also `星期…`, `礼拜…`), ranges with `至` / `到` / `-` / `~`
//! and lists with `、` / `,`; times `8:00`, `8点`, `8时`, `8点30`, ranges with the same dashes, several
//! separated by commas; closed days (`休息`, `闭馆`, `关闭`, `不营业`); rules separated by `;` or by
//! a new day expression. Full-width digits and punctuation (`：，；～`) count as their ASCII forms;
//! filler words (`营业`, `开放`, `时间`) are skipped. Anything else makes the text not understood.

/// The OSM form of `text`, or `None` when some part of it is not understood.
#[must_use]
pub fn to_osm(text: &str) -> Option<String> {
    let s = normalise(text);
    if s.is_empty() {
        return None;
    }
    let mut p = Parser { c: s.chars().collect(), i: 0 };
    let mut rules: Vec<Rule> = Vec::new();
    let mut cur = Rule::default();
    loop {
        p.skip_filler();
        if p.done() {
            break;
        }
        if p.eat(';') {
            push(&mut rules, &mut cur);
            continue;
        }
        if let Some(days) = p.days() {
            if cur.days.is_some() || !cur.times.is_empty() || cur.off {
                push(&mut rules, &mut cur);
            }
            cur.days = Some(days);
            continue;
        }
        if p.all_day() {
            cur.times.push("00:00-24:00".to_owned());
            continue;
        }
        if let Some(range) = p.time_range() {
            cur.times.push(range);
            continue;
        }
        if p.closed() {
            cur.off = true;
            continue;
        }
        if p.eat(',') {
            continue;
        }
        return None;
    }
    push(&mut rules, &mut cur);
    if rules.is_empty() {
        return None;
    }
    if let [only] = rules.as_slice()
        && only.days.is_none()
        && only.times == ["00:00-24:00"]
        && !only.off
    {
        return Some("24/7".to_owned());
    }
    let mut out = Vec::new();
    for r in rules {
        let what = if r.off {
            if !r.times.is_empty() {
                return None;
            }
            "off".to_owned()
        } else if r.times.is_empty() {
            return None; // days without hours: not understood
        } else {
            r.times.join(",")
        };
        out.push(match r.days {
            Some(d) => format!("{d} {what}"),
            None if r.off => return None,
            None => what,
        });
    }
    Some(out.join("; "))
}

#[derive(Debug, Default)]
struct Rule {
    days: Option<String>,
    times: Vec<String>,
    off: bool,
}

fn push(rules: &mut Vec<Rule>, cur: &mut Rule) {
    if cur.days.is_some() || !cur.times.is_empty() || cur.off {
        rules.push(std::mem::take(cur));
    }
}

/// Full-width forms to ASCII, every dash and "to" word to `-`, list marks to `,`, white space to one
/// space.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.trim().chars() {
        let c = match crate::text::halfwidth(ch) {
            '、' => ',',
            '~' | '〜' | '—' | '–' | '至' | '到' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        out.push(c);
    }
    out
}

const OSM_DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

struct Parser {
    c: Vec<char>,
    i: usize,
}

impl Parser {
    fn done(&self) -> bool {
        self.i >= self.c.len()
    }

    fn peek(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }

    fn eat(&mut self, ch: char) -> bool {
        if self.peek(0) == Some(ch) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, w: &str) -> bool {
        let n = w.chars().count();
        if self.c.len() >= self.i + n && self.c[self.i..self.i + n].iter().copied().eq(w.chars()) {
            self.i += n;
            true
        } else {
            false
        }
    }

    fn skip_filler(&mut self) {
        loop {
            if self.eat(' ') || self.eat(':') {
                continue;
            }
            if ["营业时间", "开放时间", "营业", "开放", "时间", "全年"].iter().any(|w| self.eat_word(w))
            {
                continue;
            }
            break;
        }
    }

    fn closed(&mut self) -> bool {
        ["不营业", "休息", "闭馆", "关闭", "闭店", "休"].iter().any(|w| self.eat_word(w))
    }

    fn all_day(&mut self) -> bool {
        ["全天24小时", "24小时营业", "24小时", "全天", "24h", "24H"].iter().any(|w| self.eat_word(w))
    }

    /// One weekday (`周三`, `星期日`, `礼拜天`): 0 = Monday.
    fn weekday(&mut self) -> Option<usize> {
        let start = self.i;
        if !(self.eat_word("星期") || self.eat_word("礼拜") || self.eat('周')) {
            return None;
        }
        let d = match self.peek(0) {
            Some('一') => 0,
            Some('二') => 1,
            Some('三') => 2,
            Some('四') => 3,
            Some('五') => 4,
            Some('六') => 5,
            Some('日' | '天' | '七') => 6,
            _ => {
                self.i = start;
                return None;
            }
        };
        self.i += 1;
        Some(d)
    }

    /// A day expression in OSM form (`Mo-Fr`, `Sa,Su`, `Mo,We-Fr`).
    fn days(&mut self) -> Option<String> {
        for (w, osm) in [("每天", "Mo-Su"), ("每日", "Mo-Su"), ("天天", "Mo-Su"), ("工作日", "Mo-Fr")] {
            if self.eat_word(w) {
                return Some(osm.to_owned());
            }
        }
        if self.eat_word("周末") || self.eat_word("双休日") {
            return Some("Sa,Su".to_owned());
        }
        let mut parts: Vec<String> = Vec::new();
        let mut start = self.i;
        while let Some(a) = self.weekday() {
            let mark = self.i;
            let part = if self.eat('-') {
                match self.weekday() {
                    Some(b) if b > a => format!("{}-{}", OSM_DAYS[a], OSM_DAYS[b]),
                    Some(b) if b == a => OSM_DAYS[a].to_owned(),
                    Some(_) => return None,
                    None => {
                        self.i = mark;
                        OSM_DAYS[a].to_owned()
                    }
                }
            } else {
                OSM_DAYS[a].to_owned()
            };
            parts.push(part);
            start = self.i;
            if !self.eat(',') {
                break;
            }
        }
        self.i = start;
        (!parts.is_empty()).then(|| parts.join(","))
    }

    /// `8:00`, `8:30`, `8点`, `8点30`, `8点半`, `8时`: minutes since midnight (24:00 allowed).
    fn time(&mut self) -> Option<u32> {
        let start = self.i;
        let mut h = 0u32;
        let mut digits = 0;
        while let Some(d) = self.peek(0).and_then(|c| c.to_digit(10)) {
            h = h * 10 + d;
            digits += 1;
            self.i += 1;
        }
        if digits == 0 || digits > 2 {
            self.i = start;
            return None;
        }
        let mut m = 0u32;
        if self.eat(':') {
            let (a, b) = (self.peek(0).and_then(|c| c.to_digit(10)), self.peek(1).and_then(|c| c.to_digit(10)));
            match (a, b) {
                (Some(a), Some(b)) => {
                    m = a * 10 + b;
                    self.i += 2;
                }
                _ => {
                    self.i = start;
                    return None;
                }
            }
        } else if self.eat('点') || self.eat('时') {
            if self.eat('半') {
                m = 30;
            } else {
                let (a, b) = (self.peek(0).and_then(|c| c.to_digit(10)), self.peek(1).and_then(|c| c.to_digit(10)));
                if let (Some(a), Some(b)) = (a, b) {
                    m = a * 10 + b;
                    self.i += 2;
                    self.eat('分');
                }
            }
        } else {
            self.i = start;
            return None;
        }
        if m >= 60 || h > 24 || (h == 24 && m > 0) {
            self.i = start;
            return None;
        }
        Some(h * 60 + m)
    }

    /// `8:00-18:00` (also `8点-18点`): `08:00-18:00`. An end at or before the start runs past
    /// midnight (`22:00-02:00` stays as written, which OSM reads as over midnight).
    fn time_range(&mut self) -> Option<String> {
        let start = self.i;
        let a = self.time()?;
        let _ = self.eat(' ');
        if !self.eat('-') {
            self.i = start;
            return None;
        }
        let _ = self.eat(' ');
        let Some(b) = self.time() else {
            self.i = start;
            return None;
        };
        if a == b {
            self.i = start;
            return None;
        }
        Some(format!("{:02}:{:02}-{:02}:{:02}", a / 60, a % 60, b / 60, b % 60))
    }
}

#[cfg(test)]
#[path = "written_tests.rs"]
mod tests;
