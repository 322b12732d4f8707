//! The alarms screen's own data: the alarms as last loaded, the filter, the sort and the cursor.

use std::cmp::Ordering;

use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

use crate::app::filter::ListFilter;
use crate::app::jobs::ScreenId;
use crate::app::state::Loadable;
use crate::domain::{Alarm, EpochMs};
use crate::ui::widgets::cursor::{self, Move};

/// What the rows are sorted by; `s` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// ALARM, then INSUFFICIENT_DATA, then OK; newest transition first within each.
    State,
    Name,
    /// Newest transition first.
    Since,
    Resource,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::State,
        SortKey::Name,
        SortKey::Since,
        SortKey::Resource,
    ];

    pub fn title(self) -> &'static str {
        match self {
            SortKey::State => "STATE",
            SortKey::Name => "NAME",
            SortKey::Since => "SINCE",
            SortKey::Resource => "RESOURCE",
        }
    }

    pub fn parse(s: &str) -> Option<SortKey> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| {
            k.title().to_ascii_lowercase() == s
                || matches!((k, s.as_str()), (SortKey::Since, "time" | "age"))
        })
    }

    fn cmp(self, a: &Alarm, b: &Alarm) -> Ordering {
        match self {
            SortKey::State => a.urgency_cmp(b),
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::Since => b.state_since.cmp(&a.state_since),
            SortKey::Resource => a.watched.to_string().cmp(&b.watched.to_string()),
        }
        .then_with(|| a.urgency_cmp(b))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlarmsScreen {
    pub id: ScreenId,
    pub alarms: Loadable<Vec<Alarm>>,
    /// When they were last asked for, and when an answer last arrived.
    pub asked: Option<EpochMs>,
    pub loaded_at: Option<EpochMs>,
    pub filter: ListFilter,
    pub sort: SortKey,
    pub reversed: bool,
    /// Indexes into the loaded alarms, after filter and sort.
    pub rows: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
}

impl AlarmsScreen {
    pub fn new(id: ScreenId) -> AlarmsScreen {
        AlarmsScreen {
            id,
            alarms: Loadable::Loading,
            asked: None,
            loaded_at: None,
            filter: ListFilter::default(),
            sort: SortKey::State,
            reversed: false,
            rows: vec![],
            selected: 0,
            offset: 0,
        }
    }

    fn all(&self) -> &[Alarm] {
        self.alarms.loaded().map_or(&[], Vec::as_slice)
    }

    pub fn selected_alarm(&self) -> Option<&Alarm> {
        self.all().get(*self.rows.get(self.selected)?)
    }

    /// The alarms in table order.
    pub fn shown(&self) -> impl Iterator<Item = &Alarm> {
        let all = self.all();
        self.rows.iter().filter_map(|&i| all.get(i))
    }

    /// Takes a new list, keeping the cursor on the same alarm.
    pub fn set_alarms(&mut self, alarms: Vec<Alarm>) {
        let keep = self.selected_alarm().map(|a| a.name.clone());
        self.alarms = Loadable::Loaded(alarms);
        self.apply(keep);
    }

    pub fn set_filter(&mut self, query: &str) {
        let keep = self.selected_alarm().map(|a| a.name.clone());
        self.filter.set(query);
        self.offset = 0;
        self.apply(keep);
    }

    /// `s` on the same key reverses it.
    pub fn set_sort(&mut self, key: SortKey) {
        let keep = self.selected_alarm().map(|a| a.name.clone());
        if self.sort == key {
            self.reversed = !self.reversed;
        } else {
            self.sort = key;
            self.reversed = false;
        }
        self.apply(keep);
    }

    pub fn sort_next(&mut self) {
        let i = SortKey::ALL
            .iter()
            .position(|k| *k == self.sort)
            .unwrap_or(0);
        self.set_sort(SortKey::ALL[(i + 1) % SortKey::ALL.len()]);
    }

    /// Filters (fuzzy, on the name, the resource and the state) and sorts; the cursor stays on
    /// `keep` if it is still shown.
    fn apply(&mut self, keep: Option<String>) {
        let all = self.all();
        let matcher = SkimMatcherV2::default().smart_case();
        let query = self.filter.text();
        let mut rows: Vec<usize> = (0..all.len())
            .filter(|&i| {
                let a = &all[i];
                query.is_empty()
                    || [a.name.as_str(), &a.watched.to_string(), a.state.as_str()]
                        .iter()
                        .any(|text| matcher.fuzzy_match(text, query).is_some())
            })
            .collect();
        let (key, reversed) = (self.sort, self.reversed);
        rows.sort_by(|&x, &y| {
            let o = key.cmp(&all[x], &all[y]);
            if reversed { o.reverse() } else { o }
        });
        self.selected = keep
            .and_then(|name| rows.iter().position(|&i| all[i].name == name))
            .unwrap_or(0);
        self.rows = rows;
    }

    pub fn move_cursor(&mut self, mv: Move, page: usize) {
        self.selected = cursor::moved(self.selected, mv, self.rows.len(), page);
    }

    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = cursor::keep_in_view(self.selected, self.offset, self.rows.len(), height);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AlarmState, Watched};

    fn alarm(name: &str, state: &str, since: EpochMs, watched: Watched) -> Alarm {
        Alarm {
            name: name.into(),
            state: AlarmState::parse(state),
            state_since: Some(since),
            watched,
            ..Default::default()
        }
    }

    fn screen() -> AlarmsScreen {
        let mut s = AlarmsScreen::new(ScreenId(1));
        s.set_alarms(vec![
            alarm("dlq", "OK", 50, Watched::Queue("q".into())),
            alarm("errors", "ALARM", 10, Watched::Function("orders".into())),
            alarm("nightly", "INSUFFICIENT_DATA", 40, Watched::Nothing),
            alarm("throttles", "ALARM", 30, Watched::Function("search".into())),
        ]);
        s
    }

    fn names(s: &AlarmsScreen) -> Vec<&str> {
        s.shown().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn opens_most_urgent_first_and_sorts_by_each_key() {
        let mut s = screen();
        assert_eq!(names(&s), ["throttles", "errors", "nightly", "dlq"]);
        s.sort_next();
        assert_eq!(s.sort, SortKey::Name);
        assert_eq!(names(&s), ["dlq", "errors", "nightly", "throttles"]);
        s.set_sort(SortKey::Name);
        assert_eq!(names(&s), ["throttles", "nightly", "errors", "dlq"]);
        s.set_sort(SortKey::Since);
        assert_eq!(names(&s), ["dlq", "nightly", "throttles", "errors"]);
        s.set_sort(SortKey::Resource);
        assert_eq!(
            names(&s),
            ["dlq", "errors", "throttles", "nightly"],
            "— sorts last"
        );
        assert_eq!(SortKey::parse("Since"), Some(SortKey::Since));
        assert_eq!(SortKey::parse("errors"), None);
    }

    #[test]
    fn the_filter_matches_name_resource_and_state_and_keeps_the_cursor() {
        let mut s = screen();
        s.move_cursor(Move::Down, 1);
        assert_eq!(s.selected_alarm().map(|a| a.name.as_str()), Some("errors"));
        s.set_filter("orders");
        assert_eq!(names(&s), ["errors"]);
        s.set_filter("ALARM");
        assert_eq!(names(&s), ["throttles", "errors"]);
        assert_eq!(s.selected_alarm().map(|a| a.name.as_str()), Some("errors"));
        s.set_filter("zzz");
        assert!(s.selected_alarm().is_none());
        s.set_filter("");
        // A refresh keeps the cursor on its alarm even when the order changes.
        s.move_cursor(Move::Bottom, 1);
        let mut next: Vec<Alarm> = s.all().to_vec();
        next.push(alarm("new", "ALARM", 99, Watched::Nothing));
        s.set_alarms(next);
        assert_eq!(s.selected_alarm().map(|a| a.name.as_str()), Some("dlq"));
        assert_eq!(names(&s)[0], "new");
    }
}
