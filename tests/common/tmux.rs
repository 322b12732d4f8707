//! The real binary under tmux: keys in with send-keys, the screen read with capture-pane.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs the binary with `args` (and extra environment) in a fresh tmux server.
    pub fn start(name: &str, size: (u16, u16), args: &str, env: &[(&str, &str)]) -> Tmux {
        let socket = format!("lambdascope-e2e-{}-{name}", std::process::id());
        let bin = env!("CARGO_BIN_EXE_lambdascope");
        let t = Tmux { socket };
        let vars: String = env.iter().map(|(k, v)| format!("{k}='{v}' ")).collect();
        let shell = format!("env {vars}{bin} {args}; echo EXITED $?; sleep 120");
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
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "screen never showed {text:?}; it shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}
