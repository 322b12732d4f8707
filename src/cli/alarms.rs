//! `lambdascope alarms [--state ALARM] [--json]`: the account's CloudWatch alarms in the order an
//! on-call engineer reads them (ALARM, then INSUFFICIENT_DATA, then OK; newest change first),
//! for scripts and for a page read on a phone.

use serde::Serialize;

use crate::domain::{Alarm, AlarmState, SourceError, iso};
use crate::source::Source;
use crate::ui::format;

#[derive(Serialize)]
struct Row<'a> {
    #[serde(flatten)]
    alarm: &'a Alarm,
    /// `state_since` as RFC 3339, for people reading the JSON.
    state_since_iso: Option<String>,
    condition: String,
}

/// Parses `--state`: ALARM, INSUFFICIENT_DATA or OK, in any case.
pub fn parse_state(s: &str) -> Result<AlarmState, String> {
    match AlarmState::parse(&s.trim().to_ascii_uppercase().replace('-', "_")) {
        AlarmState::Other(_) => Err(format!(
            "{s:?} is not a state: ALARM, INSUFFICIENT_DATA or OK"
        )),
        state => Ok(state),
    }
}

/// The alarms (of one state, if asked), as a table or JSON.
pub async fn print_alarms(
    source: &Source,
    state: Option<&AlarmState>,
    json: bool,
) -> Result<String, SourceError> {
    let mut alarms = source.alarms().await?;
    alarms.retain(|a| state.is_none_or(|s| &a.state == s));
    alarms.sort_by(Alarm::urgency_cmp);
    let now = source.now();
    if json {
        let rows: Vec<Row> = alarms
            .iter()
            .map(|a| Row {
                alarm: a,
                state_since_iso: a.state_since.map(iso),
                condition: a.condition(),
            })
            .collect();
        return serde_json::to_string_pretty(&rows)
            .map(|s| s + "\n")
            .map_err(|e| SourceError::Other(e.to_string()));
    }
    if alarms.is_empty() {
        return Ok(match state {
            Some(s) => format!("no alarms in {}\n", s.as_str()),
            None => "no alarms\n".into(),
        });
    }
    let name_w = alarms
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 48);
    let mut out = format!(
        "{:<17} {:<name_w$} {:>8}  {:<28} CONDITION\n",
        "STATE", "NAME", "SINCE", "WATCHES"
    );
    for a in &alarms {
        let since = a
            .state_since
            .map_or_else(|| "-".into(), |t| format::ago(t, now));
        out.push_str(&format!(
            "{:<17} {:<name_w$} {:>8}  {:<28} {}\n",
            format::safe(a.state.as_str()),
            format::safe(&a.name),
            since,
            format::safe(&a.watched.to_string()),
            format::safe(&a.condition()),
        ));
        if a.state != AlarmState::Ok && !a.reason.is_empty() {
            out.push_str(&format!("  {}\n", format::safe(&a.reason)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_in_any_case_and_others_are_refused() {
        assert_eq!(parse_state("alarm"), Ok(AlarmState::Alarm));
        assert_eq!(
            parse_state("insufficient-data"),
            Ok(AlarmState::InsufficientData)
        );
        assert_eq!(parse_state("OK"), Ok(AlarmState::Ok));
        assert!(
            parse_state("firing")
                .unwrap_err()
                .contains("ALARM, INSUFFICIENT_DATA or OK")
        );
    }
}
