//! The service graph laid out left to right as a tree: callers on the left, what they call to
//! their right, each edge on its own line with its call count.
//!
//! A graph of Lambda apps is nearly a tree (client → API Gateway → Lambda → function →
//! tables). A node that several callers share (a table) appears under each of them, marked as a
//! repeat after the first; an edge back to a node already on the path is shown as a cycle and not
//! followed. Columns follow the kinds where they are known, so every function lines up whatever
//! led to it.

use crate::domain::{ORIGIN_API_GATEWAY, ORIGIN_FUNCTION, ORIGIN_LAMBDA, ServiceGraph};
use crate::ui::format;

/// The most places a layout holds; a graph that would unfold into more is cut there.
pub const MAX_PLACES: usize = 5000;
/// Cells between columns: the edges and their call counts.
pub const GUTTER: u16 = 10;
/// The widest a column gets; longer names are cut with `…`.
const MAX_COLUMN: u16 = 34;
/// Lines a slot takes: the name, then the figures.
pub const SLOT_LINES: u16 = 2;

/// One appearance of a node in the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// Index into the graph's services.
    pub node: usize,
    /// When collapsed, the Lambda service node folded into this function node.
    pub via: Option<usize>,
    pub column: usize,
    /// Vertical slot (two lines each).
    pub slot: usize,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// The edge from the parent: calls, errors, faults.
    pub calls: Option<(u64, u64, u64)>,
    /// The node already appeared earlier in the tree.
    pub repeat: bool,
    /// The edge leads back to a node on the path here.
    pub cycle: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Layout {
    /// In tree order (depth first); `j`/`k` walk it.
    pub places: Vec<Place>,
    pub slots: usize,
    pub columns: usize,
    /// Whether the layout was cut at [`MAX_PLACES`].
    pub cut: bool,
    /// Each column's left edge and width, in cells.
    pub column_x: Vec<u16>,
    pub column_w: Vec<u16>,
}

/// The column a kind belongs in, when the kind says.
fn rank(kind: &str, collapsed: bool) -> Option<usize> {
    match kind {
        "client" => Some(0),
        ORIGIN_API_GATEWAY | "AWS::ElasticLoadBalancingV2::LoadBalancer" | "AWS::AppSync" => {
            Some(1)
        }
        ORIGIN_LAMBDA => Some(2),
        ORIGIN_FUNCTION => Some(if collapsed { 2 } else { 3 }),
        _ => None,
    }
}

/// A short word for a node's kind, before its figures.
pub fn kind_word(kind: &str) -> &str {
    match kind {
        "client" => "",
        ORIGIN_API_GATEWAY => "API",
        ORIGIN_LAMBDA => "Lambda",
        ORIGIN_FUNCTION => "function",
        "AWS::DynamoDB::Table" => "DynamoDB",
        other => other.rsplit("::").next().unwrap_or(other),
    }
}

/// The line under a node's name: its kind (`λ` for a Lambda folded into its function), then
/// its figures.
pub fn figures(node: &crate::domain::ServiceNode, folded: bool) -> String {
    let word = if folded { "λ" } else { kind_word(&node.kind) };
    format!("{word} {}", stats(node)).trim().to_string()
}

/// "6.1k 4.1%F 142ms": requests, then fault, error and throttle shares when there are any,
/// then the average response time (the client has none of its own).
pub fn stats(node: &crate::domain::ServiceNode) -> String {
    let mut parts = vec![format::count(node.requests as f64)];
    if node.is_client() {
        return parts.remove(0);
    }
    for (pct, tag) in [
        (node.fault_pct(), "F"),
        (node.error_pct(), "E"),
        (node.throttle_pct(), "T"),
    ] {
        if let Some(p) = pct.filter(|p| *p > 0.0) {
            parts.push(format!("{}{tag}", format::percent(p)));
        }
    }
    if node.requests > 0 {
        parts.push(format::millis(node.avg_response_ms));
    }
    parts.join(" ")
}

impl Layout {
    /// Lays `g` out; with `collapsed`, each Lambda service node is folded into its function.
    pub fn new(g: &ServiceGraph, collapsed: bool) -> Layout {
        let n = g.services.len();
        let index: std::collections::HashMap<u32, usize> = g
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i))
            .collect();
        let mut inbound = vec![0usize; n];
        for s in &g.services {
            for e in &s.edges {
                if let Some(&t) = index.get(&e.to) {
                    inbound[t] += 1;
                }
            }
        }
        // Roots: nodes nobody calls (the client first), then whatever they do not reach.
        let mut roots: Vec<usize> = (0..n).filter(|&i| inbound[i] == 0).collect();
        roots.sort_by_key(|&i| (!g.services[i].is_client(), i));
        let mut layout = Layout::default();
        let mut seen = vec![false; n];
        let mut slot = 0;
        let mut stack_roots = roots;
        let mut next_unseen = 0;
        loop {
            for r in std::mem::take(&mut stack_roots) {
                if !seen[r] {
                    layout.place(
                        g, &index, r, None, None, None, collapsed, &mut seen, &mut slot, 0,
                    );
                }
            }
            while next_unseen < n && seen[next_unseen] {
                next_unseen += 1;
            }
            if next_unseen >= n || layout.cut {
                break;
            }
            stack_roots.push(next_unseen);
        }
        layout.slots = slot;
        layout.columns = layout
            .places
            .iter()
            .map(|p| p.column + 1)
            .max()
            .unwrap_or(0);
        layout.column_w = vec![0; layout.columns];
        for p in &layout.places {
            let node = &g.services[p.node];
            let w = format::safe(&node.name)
                .chars()
                .count()
                .max(figures(node, p.via.is_some()).chars().count()) as u16;
            let c = &mut layout.column_w[p.column];
            *c = (*c).max(w.min(MAX_COLUMN));
        }
        let mut x = 0;
        for w in &layout.column_w {
            layout.column_x.push(x);
            x += w + GUTTER;
        }
        layout
    }

    /// Places `node` and its subtree; returns its place. Iterative over siblings, recursive
    /// over depth, which the path guard bounds by the number of nodes.
    #[allow(clippy::too_many_arguments)]
    fn place(
        &mut self,
        g: &ServiceGraph,
        index: &std::collections::HashMap<u32, usize>,
        node: usize,
        parent: Option<usize>,
        calls: Option<(u64, u64, u64)>,
        parent_column: Option<usize>,
        collapsed: bool,
        seen: &mut [bool],
        slot: &mut usize,
        depth: usize,
    ) -> Option<usize> {
        if self.places.len() >= MAX_PLACES || depth > 64 {
            self.cut = true;
            return None;
        }
        // Folding: a Lambda service node gives way to its function node of the same name.
        let mut via = None;
        let mut node = node;
        if collapsed && g.services[node].kind == ORIGIN_LAMBDA {
            let name = &g.services[node].name;
            if let Some(f) = g.services[node]
                .edges
                .iter()
                .filter_map(|e| index.get(&e.to).copied())
                .find(|&t| g.services[t].kind == ORIGIN_FUNCTION && g.services[t].name == *name)
            {
                via = Some(node);
                seen[node] = true;
                node = f;
            }
        }
        let min = parent_column.map_or(0, |c| c + 1);
        let column = rank(&g.services[node].kind, collapsed).map_or(min, |r| r.max(min));
        let on_path = {
            let mut p = parent;
            let mut hit = false;
            while let Some(i) = p {
                if self.places[i].node == node {
                    hit = true;
                    break;
                }
                p = self.places[i].parent;
            }
            hit
        };
        let me = self.places.len();
        self.places.push(Place {
            node,
            via,
            column,
            slot: *slot,
            parent,
            children: vec![],
            calls,
            repeat: seen[node],
            cycle: on_path,
        });
        if let Some(p) = parent {
            self.places[p].children.push(me);
        }
        let expand = !seen[node] && !on_path;
        seen[node] = true;
        let mut placed_child = false;
        if expand {
            let mut edges: Vec<_> = g.services[node]
                .edges
                .iter()
                .filter_map(|e| Some((*index.get(&e.to)?, e)))
                .collect();
            // Busiest calls first.
            edges.sort_by_key(|(t, e)| (std::cmp::Reverse(e.requests), *t));
            for (t, e) in edges {
                if self
                    .place(
                        g,
                        index,
                        t,
                        Some(me),
                        Some((e.requests, e.errors, e.faults)),
                        Some(column),
                        collapsed,
                        seen,
                        slot,
                        depth + 1,
                    )
                    .is_some()
                {
                    placed_child = true;
                }
            }
        }
        if !placed_child {
            *slot += 1;
        }
        Some(me)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ServiceEdge, ServiceNode};

    fn node(id: u32, name: &str, kind: &str, edges: &[(u32, u64)]) -> ServiceNode {
        ServiceNode {
            id,
            name: name.into(),
            kind: kind.into(),
            requests: 10,
            errors: 0,
            faults: 0,
            throttles: 0,
            avg_response_ms: 5.0,
            edges: edges
                .iter()
                .map(|&(to, requests)| ServiceEdge {
                    to,
                    requests,
                    errors: 0,
                    faults: 0,
                    avg_response_ms: 5.0,
                })
                .collect(),
        }
    }

    fn graph() -> ServiceGraph {
        ServiceGraph {
            services: vec![
                node(10, "client", "client", &[(11, 20), (14, 3)]),
                node(11, "api/prod", ORIGIN_API_GATEWAY, &[(12, 20)]),
                node(12, "fn-a", ORIGIN_LAMBDA, &[(13, 20)]),
                node(13, "fn-a", ORIGIN_FUNCTION, &[(16, 20)]),
                node(14, "fn-b", ORIGIN_LAMBDA, &[(15, 3)]),
                node(15, "fn-b", ORIGIN_FUNCTION, &[(16, 3), (14, 1)]),
                node(16, "orders", "AWS::DynamoDB::Table", &[]),
            ],
        }
    }

    #[test]
    fn left_to_right_with_columns_by_kind() {
        let l = Layout::new(&graph(), false);
        let at = |name: &str, kind: &str| {
            l.places
                .iter()
                .find(|p| {
                    let s = &graph().services[p.node];
                    s.name == name && s.kind == kind
                })
                .map(|p| (p.column, p.slot))
        };
        assert_eq!(at("client", "client"), Some((0, 0)));
        assert_eq!(at("api/prod", ORIGIN_API_GATEWAY), Some((1, 0)));
        // A direct invoke lines up with the functions behind API Gateway.
        assert_eq!(at("fn-b", ORIGIN_LAMBDA), Some((2, 1)));
        assert_eq!(at("fn-b", ORIGIN_FUNCTION), Some((3, 1)));
        // The shared table appears under both functions; the second is a repeat.
        let tables: Vec<&Place> = l.places.iter().filter(|p| p.node == 6).collect();
        assert_eq!(tables.len(), 2);
        assert!(!tables[0].repeat && tables[1].repeat);
        assert_eq!(tables[0].calls, Some((20, 0, 0)));
        // fn-b calls its own Lambda node back: a cycle, not followed.
        assert!(l.places.iter().any(|p| p.cycle && p.node == 4));
        assert_eq!(l.slots, 3);
    }

    #[test]
    fn collapsing_folds_lambda_into_its_function() {
        let l = Layout::new(&graph(), true);
        assert!(
            l.places
                .iter()
                .all(|p| graph().services[p.node].kind != ORIGIN_LAMBDA || p.cycle)
        );
        let f = l.places.iter().find(|p| p.node == 3).unwrap();
        assert_eq!((f.column, f.via), (2, Some(2)));
        assert_eq!(l.columns, 4);
    }

    #[test]
    fn graphs_without_a_source_still_show_every_node() {
        let g = ServiceGraph {
            services: vec![node(1, "a", "x", &[(2, 1)]), node(2, "b", "x", &[(1, 1)])],
        };
        let l = Layout::new(&g, false);
        assert!(l.places.iter().any(|p| p.node == 0));
        assert!(l.places.iter().any(|p| p.node == 1));
    }
}
