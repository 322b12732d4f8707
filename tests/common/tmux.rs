//! The real binary under tmux: keys in with send-keys, the screen read with capture-pane.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs the binary with `args` (and extra environment) in a fresh tmux server.
    pub fn start(name: &str, size: (u16, u16), args: &str, env: &[(&str, &str)]) -> Tmux {
        Self::start_then(name, size, args, env, "true")
    }

    /// Like [`start`](Self::start), and runs `then` in the same terminal once the binary has
    /// exited (after printing `EXITED <code>`).
    pub fn start_then(
        name: &str,
        size: (u16, u16),
        args: &str,
        env: &[(&str, &str)],
        then: &str,
    ) -> Tmux {
        // A socket per instance: a test that starts a second terminal under the same name
        // must not reach the first one's server while it is still shutting down.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = format!("lambdascope-e2e-{}-{name}-{n}", std::process::id());
        // LAMBDASCOPE_BIN runs another build (the release binary, for measurements).
        let bin = std::env::var("LAMBDASCOPE_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_lambdascope").to_string());
        let t = Tmux { socket };
        // Logs go to a scratch state directory, not the user's.
        let state =
            std::env::temp_dir().join(format!("lambdascope-e2e-state-{}", std::process::id()));
        let vars: String = env.iter().map(|(k, v)| format!("{k}='{v}' ")).collect();
        let shell = format!(
            "env XDG_STATE_HOME='{}' {vars}{bin} {args}; echo EXITED $?; {then}; sleep 120",
            state.display()
        );
        let ok = t
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                &size.0.to_string(),
                "-y",
                &size.1.to_string(),
                &shell,
            ])
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}); install it: apt-get install tmux"));
        assert!(
            ok.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        t
    }

    pub fn cmd(&self, args: &[&str]) -> std::io::Result<std::process::Output> {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
    }

    pub fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "e2e"])
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Whether the pane shows the alternate screen (a full-screen program owns it).
    pub fn alternate_on(&self) -> bool {
        self.cmd(&["display-message", "-p", "-t", "e2e", "#{alternate_on}"])
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "1")
            .unwrap_or(false)
    }

    /// The pid of the program the pane's shell is running (the console).
    pub fn child_pid(&self) -> u32 {
        let out = self
            .cmd(&["display-message", "-p", "-t", "e2e", "#{pane_pid}"])
            .expect("tmux display-message");
        let shell: u32 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("a pane pid");
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid …; comm may hold spaces, so split after the last ')'.
            let Some((head, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            let ppid = rest
                .split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(shell) {
                return head
                    .split_whitespace()
                    .next()
                    .and_then(|p| p.parse().ok())
                    .expect("pid");
            }
        }
        panic!("no child of the pane's shell {shell}")
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.cmd(&args).expect("tmux send-keys");
    }

    pub fn literal(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "e2e", "-l", text])
            .expect("tmux send-keys -l");
    }

    /// Waits until the screen shows `text` (generous, since CI machines are slow), or fails
    /// with the screen as it was.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Waits until `ready` holds for the screen; `what` names it in the failure.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if ready(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {what}; it shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until a chart titled `title` shows a number after its legend mark: the data, not
    /// just the panel, has arrived.
    pub fn wait_for_chart(&self, title: &str) -> String {
        let mark = format!("{title} ━ ");
        self.wait_until(&format!("the {title} chart with data"), |s| {
            s.split(&mark)
                .skip(1)
                .any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}
