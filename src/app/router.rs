//! The router: which screens exist, and how actions, messages and changes reach them.
//!
//! A screen is a folder under `screens/` with its own state, update, keys and view, behind the
//! [`Screen`] trait. Adding one is a new folder and one line in [`screens!`] below: the macro
//! generates the enums that hold each screen's state, messages and actions, and the dispatch.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::commands::CommandId;
use super::jobs::ScreenId;
use super::keys::Binding;
use super::msg::{Action, Cmd};
use super::state::Ctx;
use crate::screens;
use crate::ui::theme::Theme;

/// A text input a screen has focused: its prompt, what is typed, and a note after it
/// ("3 matches", "bad regex: …").
#[derive(Debug, Clone, PartialEq)]
pub struct Input<'a> {
    pub prompt: &'a str,
    pub text: &'a str,
    pub note: Option<String>,
}

/// A titled list of (example, what it does) for the help overlay.
pub type HelpNotes = (&'static str, &'static [(&'static str, &'static str)]);

impl<'a> Input<'a> {
    /// The `/` box of a list, with how many rows match.
    pub fn search(text: &'a str, matches: usize) -> Input<'a> {
        Input {
            prompt: "/",
            text,
            note: Some(format!(
                "{matches} match{}",
                if matches == 1 { "" } else { "es" }
            )),
        }
    }
}

/// What every screen does, whatever its messages and actions are.
pub trait ScreenBase {
    /// The title in help and in the breadcrumb.
    fn title(&self) -> String;
    /// Its key tables, searched in order before the global keys; the footer hints and `?`
    /// are generated from them.
    fn keymap(&self) -> &'static [&'static [Binding]];
    /// A verb every screen understands (moving, drilling in, typing into its input).
    fn on_action(&mut self, ctx: &mut Ctx, action: Action) -> Vec<Cmd>;
    /// Ask again for what is shown: the periodic refresh, `ctrl-r`, a new window, coming back
    /// to the screen. Requests equal to ones in flight are joined, not repeated.
    fn refresh(&mut self, ctx: &mut Ctx) -> Vec<Cmd>;
    /// The account's function list or health changed.
    fn on_catalog(&mut self, _ctx: &mut Ctx) -> Vec<Cmd> {
        vec![]
    }
    /// A `:` command that belongs to this screen (`:sort`); `None` if it is not its own.
    fn on_command(&mut self, _ctx: &mut Ctx, _id: CommandId, _arg: &str) -> Option<Vec<Cmd>> {
        None
    }
    /// The terminal was resized.
    /// Another screen opened on top of this one: a screen that streams stops here (its
    /// `refresh` runs again when it is uncovered).
    fn on_covered(&mut self, _ctx: &mut Ctx) -> Vec<Cmd> {
        vec![]
    }
    fn on_resize(&mut self, _ctx: &mut Ctx) -> Vec<Cmd> {
        vec![]
    }
    fn is_busy(&self) -> bool;
    /// Examples for `?` of what the screen's inputs take.
    fn help_notes(&self) -> Option<HelpNotes> {
        None
    }
    /// The input being typed in, if the screen has one focused.
    fn input(&self) -> Option<Input<'_>> {
        None
    }
    /// What the input holds while it is not being typed in (an applied filter), for the footer.
    fn input_summary(&self) -> Option<String> {
        None
    }
    fn render(&self, ctx: &Ctx, theme: &Theme, area: Rect, buf: &mut Buffer);
}

/// A screen with its own messages and actions.
pub trait Screen: ScreenBase + Sized {
    type Msg: std::fmt::Debug + PartialEq;
    type Action: std::fmt::Debug + Clone + Copy + PartialEq + Eq;
    /// What it opens on: a function's name, a filter; `()` for a screen of the whole account.
    /// [`Place`] has a variant of it.
    type Place: std::fmt::Debug + Clone + PartialEq;
    fn open(id: ScreenId, place: Self::Place, ctx: &mut Ctx) -> Self;
    fn on_msg(&mut self, ctx: &mut Ctx, msg: Self::Msg) -> Vec<Cmd>;
    /// A key only this screen knows.
    fn on_own(&mut self, ctx: &mut Ctx, action: Self::Action) -> Vec<Cmd>;
}

macro_rules! screens {
    ($($name:ident => $ty:ty),* $(,)?) => {
        /// An open screen's state.
        #[derive(Debug, PartialEq)]
        pub enum ScreenState { $($name(Box<$ty>)),* }

        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ScreenKind { $($name),* }

        impl ScreenKind {
            /// Every screen, in registry order: tests iterate it, so a new screen is covered.
            pub const ALL: &[ScreenKind] = &[$(ScreenKind::$name),*];
        }

        /// A message for one screen.
        #[derive(Debug, PartialEq)]
        pub enum ScreenMsg { $($name(Box<<$ty as Screen>::Msg>)),* }

        /// A key only one screen knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ScreenAction { $($name(<$ty as Screen>::Action)),* }

        /// Where a screen, a command or a key can take the user: a screen, and what it opens on.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Place { $($name(<$ty as Screen>::Place)),* }

        /// Builds the screen for a place.
        pub fn open(ctx: &mut Ctx, place: Place) -> (ScreenId, ScreenState) {
            let id = ctx.new_screen_id();
            let screen = match place {
                $(Place::$name(p) => <$ty as Screen>::open(id, p, ctx).into()),*
            };
            (id, screen)
        }

        $(
            impl From<<$ty as Screen>::Msg> for ScreenMsg {
                fn from(m: <$ty as Screen>::Msg) -> ScreenMsg { ScreenMsg::$name(Box::new(m)) }
            }
            impl From<$ty> for ScreenState {
                fn from(s: $ty) -> ScreenState { ScreenState::$name(Box::new(s)) }
            }
            impl From<<$ty as Screen>::Action> for Action {
                fn from(a: <$ty as Screen>::Action) -> Action {
                    Action::Screen(ScreenAction::$name(a))
                }
            }
        )*

        impl ScreenState {
            pub fn kind(&self) -> ScreenKind {
                match self { $(ScreenState::$name(_) => ScreenKind::$name),* }
            }
            pub fn base(&self) -> &dyn ScreenBase {
                match self { $(ScreenState::$name(s) => &**s),* }
            }
            pub fn base_mut(&mut self) -> &mut dyn ScreenBase {
                match self { $(ScreenState::$name(s) => &mut **s),* }
            }
            /// The screen as its own type, if it is one.
            pub fn get<T: 'static>(&self) -> Option<&T> {
                match self {
                    $(ScreenState::$name(s) => (&**s as &dyn std::any::Any).downcast_ref::<T>()),*
                }
            }
            /// Delivers a message meant for this kind of screen; others are ignored.
            pub fn on_msg(&mut self, ctx: &mut Ctx, msg: ScreenMsg) -> Vec<Cmd> {
                match (self, msg) {
                    $((ScreenState::$name(s), ScreenMsg::$name(m)) => s.on_msg(ctx, *m),)*
                    #[allow(unreachable_patterns)]
                    _ => vec![],
                }
            }
            pub fn on_own(&mut self, ctx: &mut Ctx, action: ScreenAction) -> Vec<Cmd> {
                match (self, action) {
                    $((ScreenState::$name(s), ScreenAction::$name(a)) => s.on_own(ctx, a),)*
                    #[allow(unreachable_patterns)]
                    _ => vec![],
                }
            }
        }
    };
}

screens! {
    Functions => screens::functions::FunctionsScreen,
    Dashboard => screens::dashboard::DashboardScreen,
    Overview => screens::overview::OverviewScreen,
    Traces => screens::traces::TracesScreen,
    Waterfall => screens::waterfall::WaterfallScreen,
    Map => screens::map::MapScreen,
    Logs => screens::logs::LogsScreen,
    Alarms => screens::alarms::AlarmsScreen,
}

/// What a logs screen opens on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogsPlace {
    /// Function names; empty means every function.
    pub functions: Vec<String>,
    /// One invocation: its request id, and when it ran (to look around that time).
    pub invocation: Option<(String, crate::domain::EpochMs)>,
}

/// A move through the screen stack, asked for by a screen or a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Nav {
    Open(Place),
    Back,
    Home,
}

/// The screen the console opens on.
pub fn home(ctx: &mut Ctx) -> (ScreenId, ScreenState) {
    let id = ctx.new_screen_id();
    (id, screens::functions::FunctionsScreen::new(id).into())
}
