//! Placeholder until the SVG renderer lands (replaced at merge).
pub fn buffer_to_svg(_buf: &ratatui::buffer::Buffer, _title: &str) -> String {
    String::new()
}
