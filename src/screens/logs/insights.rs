//! The Logs Insights mode: ready queries, a query of your own (with the ones you ran), and the
//! results as a table sorted by any column.

use super::search::{Query, SearchMode};
use crate::domain::{InsightsProgress, InsightsRow, SourceError};

/// The ready-made queries: name and query text.
pub const READY: &[(&str, &str)] = &[
    (
        "cold starts",
        "filter @type = \"REPORT\" and ispresent(@initDuration) | stats count() as coldStarts, avg(@initDuration) as avgInitMs, max(@initDuration) as maxInitMs by bin(5m) | sort bin(5m) desc",
    ),
    (
        "slowest invocations",
        "filter @type = \"REPORT\" | fields @timestamp, @requestId, @duration, @billedDuration, @maxMemoryUsed | sort @duration desc | limit 25",
    ),
    (
        "errors by message",
        "filter @message like /(?i)(error|exception|timed out)/ and @type != \"REPORT\" | parse @message /(?<error>[A-Za-z_.]*(Error|Exception)|Task timed out)/ | stats count() as count by error | sort count desc | limit 25",
    ),
    (
        "memory headroom",
        "filter @type = \"REPORT\" | stats max(@memorySize) as sizeMB, max(@maxMemoryUsed) as peakMB, avg(@maxMemoryUsed) as avgMB, pct(@maxMemoryUsed, 95) as p95MB by bin(15m) | sort bin(15m) desc",
    ),
    (
        "timeouts",
        "filter @message like /Task timed out|\"status\":\"timeout\"/ | fields @timestamp, @requestId, @logStream | sort @timestamp desc | limit 50",
    ),
];

/// Where the query being run stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Run {
    #[default]
    Idle,
    Running(InsightsProgress),
    Done {
        rows: Vec<InsightsRow>,
        progress: InsightsProgress,
    },
    Failed(SourceError),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct InsightsState {
    /// The ready query or history entry under the cursor: ready ones first, then history.
    pub cursor: usize,
    /// A query being typed.
    pub input: Option<String>,
    /// Queries run, newest first.
    pub history: Vec<String>,
    /// The query of the results shown.
    pub query: Option<String>,
    pub run: Run,
    /// Sort by this column, descending when true.
    pub sort: Option<(usize, bool)>,
    /// First result row shown.
    pub scroll: usize,
}

impl InsightsState {
    /// The queries to pick from: the ready ones, then history.
    pub fn choices(&self) -> Vec<(String, String)> {
        READY
            .iter()
            .map(|(n, q)| (n.to_string(), q.to_string()))
            .chain(
                self.history
                    .iter()
                    .map(|q| ("yours".to_string(), q.clone())),
            )
            .collect()
    }

    /// Remembers a query (once, newest first).
    pub fn remember(&mut self, q: &str) {
        if READY.iter().any(|(_, r)| *r == q) {
            return;
        }
        self.history.retain(|h| h != q);
        self.history.insert(0, q.to_string());
        self.history.truncate(20);
    }

    /// The column names of the results, in order.
    pub fn columns(&self) -> Vec<String> {
        let Run::Done { rows, .. } = &self.run else {
            return vec![];
        };
        let mut cols: Vec<String> = Vec::new();
        for r in rows {
            for (f, _) in r {
                if !cols.contains(f) {
                    cols.push(f.clone());
                }
            }
        }
        cols
    }

    /// Sorts the results by the next column: descending, then ascending, then the next
    /// column. The rows are sorted once here, not on every frame.
    pub fn next_sort(&mut self) {
        let cols = self.columns();
        if cols.is_empty() {
            return;
        }
        let (col, desc) = match self.sort {
            None => (0, true),
            Some((c, true)) => (c, false),
            Some((c, false)) => ((c + 1) % cols.len(), true),
        };
        self.sort = Some((col, desc));
        let Run::Done { rows, .. } = &mut self.run else {
            return;
        };
        let name = &cols[col];
        fn key<'r>(r: &'r InsightsRow, name: &str) -> Option<&'r str> {
            r.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
        }
        rows.sort_by(|a, b| {
            let ord = crate::parse::insights::compare(key(a, name), key(b, name));
            if desc { ord.reverse() } else { ord }
        });
    }
}

/// The current search and filters as an Insights query, to run over the wider window on the
/// server.
pub fn from_search(query: &Query, errors_only: bool, level: Option<&str>) -> String {
    let mut filters = Vec::new();
    if !query.text.is_empty() {
        let sensitive = super::search::case_sensitive(&query.text);
        let flags = if sensitive { "" } else { "(?i)" };
        let pattern = match query.mode {
            SearchMode::Regex => query.text.clone(),
            SearchMode::Exact => regex::escape(&query.text),
            // Characters in order, anything between.
            SearchMode::Fuzzy => query
                .text
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| regex::escape(&c.to_string()))
                .collect::<Vec<_>>()
                .join(".*"),
        };
        filters.push(format!(
            "@message like /{flags}{}/",
            pattern.replace('/', "\\/")
        ));
    }
    if errors_only {
        filters.push("@message like /(?i)(error|exception|timed out|\"status\":\"(error|timeout|failure)\")/".into());
    }
    if let Some(l) = level {
        filters.push(format!("@message like /{l}/"));
    }
    let mut q = String::from("fields @timestamp, @logStream, @message");
    if !filters.is_empty() {
        q.push_str(" | filter ");
        q.push_str(&filters.join(" and "));
    }
    q.push_str(" | sort @timestamp desc | limit 1000");
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_becomes_a_query() {
        let q = Query {
            mode: SearchMode::Exact,
            text: "a.b/c".into(),
        };
        assert_eq!(
            from_search(&q, false, None),
            "fields @timestamp, @logStream, @message | filter @message like /(?i)a\\.b\\/c/ | sort @timestamp desc | limit 1000"
        );
        let fuzzy = Query {
            mode: SearchMode::Fuzzy,
            text: "tmo".into(),
        };
        assert!(from_search(&fuzzy, true, None).contains("/(?i)t.*m.*o/ and @message like"));
    }

    #[test]
    fn results_sort_numbers_as_numbers() {
        let row = |v: &str| vec![("n".to_string(), v.to_string())];
        let mut s = InsightsState {
            run: Run::Done {
                rows: vec![row("9"), row("10"), row("2")],
                progress: InsightsProgress::default(),
            },
            ..Default::default()
        };
        s.next_sort();
        let Run::Done { rows, .. } = &s.run else {
            unreachable!()
        };
        let order: Vec<&str> = rows.iter().map(|r| r[0].1.as_str()).collect();
        assert_eq!(order, ["10", "9", "2"]);
        s.remember("fields @message");
        s.remember("fields @message");
        assert_eq!(s.history.len(), 1);
    }
}
