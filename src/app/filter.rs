//! The `/` filter of a list screen (functions, alarms, traces): the box being typed in, and the
//! filter applied. The list narrows as it is typed; `enter` keeps the filter and closes the box,
//! `esc` drops both.

use super::keys::edit;
use super::msg::Action;
use super::router::Input;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListFilter {
    typing: Option<String>,
    applied: String,
}

impl ListFilter {
    /// The filter applied to the list ("" for none).
    pub fn text(&self) -> &str {
        &self.applied
    }

    pub fn is_empty(&self) -> bool {
        self.applied.is_empty()
    }

    /// What the open box holds; `None` when it is closed.
    pub fn typing(&self) -> Option<&str> {
        self.typing.as_deref()
    }

    /// `/`: opens the box on the filter applied.
    pub fn open(&mut self) {
        self.typing = Some(self.applied.clone());
    }

    /// Applies `text` (the screen calls this once it has re-filtered from the old text).
    pub fn set(&mut self, text: &str) {
        self.applied = text.to_string();
    }

    /// A key while the box is open: the filter to apply now, if the key changed it.
    pub fn key(&mut self, action: Action) -> Option<String> {
        let text = self.typing.as_mut()?;
        match action {
            a if edit(text, a) => Some(text.clone()),
            Action::InputSubmit => {
                self.typing = None;
                None
            }
            Action::InputCancel => {
                self.typing = None;
                Some(String::new())
            }
            _ => None,
        }
    }

    /// The open box, with how many rows match.
    pub fn input(&self, matches: usize) -> Option<Input<'_>> {
        self.typing().map(|text| Input::search(text, matches))
    }

    /// The applied filter, for the footer while the box is closed.
    pub fn summary(&self) -> Option<String> {
        (!self.is_empty()).then(|| format!("/{}", self.applied))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_filters_enter_keeps_and_esc_drops() {
        let mut f = ListFilter::default();
        assert_eq!(f.key(Action::Input('a')), None, "closed: keys are not its");
        f.open();
        assert_eq!(f.key(Action::Input('o')), Some("o".into()));
        f.set("o");
        assert_eq!(f.key(Action::Input('r')), Some("or".into()));
        f.set("or");
        assert_eq!(f.key(Action::InputSubmit), None);
        assert_eq!((f.typing(), f.text()), (None, "or"));
        assert_eq!(f.summary().as_deref(), Some("/or"));
        f.open();
        assert_eq!(f.typing(), Some("or"), "reopens on what is applied");
        assert_eq!(f.key(Action::InputCancel), Some(String::new()));
        assert_eq!(f.typing(), None);
    }
}
