//! The cursor of a list: moving a selection over N rows, and the viewport offset that keeps
//! it in view. Every list screen moves the same way through these.

/// A move of a list's cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

/// Where a cursor at `selected` over `len` rows lands after `mv`, with pages of `page` rows.
/// Always a row of the list (0 when it is empty).
pub fn moved(selected: usize, mv: Move, len: usize, page: usize) -> usize {
    let page = page.max(1);
    let to = match mv {
        Move::Up => selected.saturating_sub(1),
        Move::Down => selected.saturating_add(1),
        Move::PageUp => selected.saturating_sub(page),
        Move::PageDown => selected.saturating_add(page),
        Move::Top => 0,
        Move::Bottom => usize::MAX,
    };
    clamp(to, len)
}

/// `selected`, kept on a row of a list of `len` rows (0 when it is empty).
pub fn clamp(selected: usize, len: usize) -> usize {
    selected.min(len.saturating_sub(1))
}

/// The first row to show so that row `selected` of `len` is inside a viewport of `height`
/// rows, scrolling from `offset` as little as possible.
pub fn keep_in_view(selected: usize, offset: usize, len: usize, height: usize) -> usize {
    let height = height.max(1);
    let offset = if selected < offset {
        selected
    } else if selected >= offset + height {
        selected + 1 - height
    } else {
        offset
    };
    offset.min(len.saturating_sub(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_on_the_list() {
        assert_eq!(moved(0, Move::Up, 5, 3), 0);
        assert_eq!(moved(4, Move::Down, 5, 3), 4);
        assert_eq!(moved(1, Move::Down, 5, 3), 2);
        assert_eq!(moved(1, Move::PageDown, 5, 3), 4);
        assert_eq!(moved(4, Move::PageUp, 5, 3), 1);
        assert_eq!(moved(2, Move::PageUp, 5, 3), 0);
        assert_eq!(moved(2, Move::Top, 5, 3), 0);
        assert_eq!(moved(0, Move::Bottom, 5, 3), 4);
        // A page of no rows still moves one.
        assert_eq!(moved(0, Move::PageDown, 5, 0), 1);
        for mv in [Move::Up, Move::Down, Move::PageDown, Move::Bottom] {
            assert_eq!(moved(3, mv, 0, 10), 0, "{mv:?} over an empty list");
        }
    }

    #[test]
    fn a_shrunk_list_pulls_the_cursor_onto_its_last_row() {
        assert_eq!(clamp(9, 4), 3);
        assert_eq!(clamp(2, 4), 2);
        assert_eq!(clamp(2, 0), 0);
    }

    #[test]
    fn the_viewport_scrolls_as_little_as_possible() {
        // Inside: stays.
        assert_eq!(keep_in_view(5, 3, 100, 10), 3);
        // Below: the selection becomes the last row shown.
        assert_eq!(keep_in_view(20, 3, 100, 10), 11);
        // Above: the selection becomes the first row shown.
        assert_eq!(keep_in_view(1, 3, 100, 10), 1);
        // Never past the end, never with no height.
        assert_eq!(keep_in_view(99, 95, 100, 10), 90);
        assert_eq!(keep_in_view(4, 0, 100, 0), 4);
        assert_eq!(keep_in_view(0, 7, 3, 10), 0);
    }
}
