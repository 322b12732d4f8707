//! What screens share for drawing: widgets (charts, spinners), the theme, number and time
//! formats, and the SVG renderer for screenshots. Nothing here knows the app or a screen.

pub mod format;
pub mod svg;
pub mod theme;
pub mod widgets;
