//! Progress on stderr, for every command that runs long: a bar with rate and ETA on a
//! terminal, a plain line every few seconds otherwise (logs, CI).
//!
//! A run measures its progress by a position with a total (the import: bytes of its file, known
//! from the start; the export: messages, once one search has counted them) and counts what it
//! did (rows settled, messages exported); a resumed run starts from the position and count the
//! runs before it reached, and its rate counts only its own.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShowProgress {
    /// A bar on a terminal, plain lines otherwise.
    Auto,
    /// A bar with rate and ETA.
    Bar,
    /// A line on stderr every few seconds.
    Plain,
    /// Nothing but the summary.
    #[default]
    None,
}

/// How often a plain line is printed.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// What a run counts, in the words of its progress line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    /// What is counted: `rows`.
    pub noun: &'static str,
    /// What was done to them: `settled`.
    pub done: &'static str,
    /// What the total is the total of, when it is not the count (`the file`, in bytes).
    pub total_of: Option<&'static str>,
}

/// The progress display of one run.
#[derive(Debug)]
pub(crate) struct Progress {
    shown: Shown,
    unit: Unit,
    total: Option<u64>,
    started: Instant,
    /// Position and count when this run started (a resumed run's head start).
    start: (u64, u64),
    last: (u64, u64),
    detail: String,
}

#[derive(Debug)]
enum Shown {
    Bar(ProgressBar),
    Plain { printed: Instant },
    Nothing,
}

impl Progress {
    /// Progress counted in `unit`, from `position` and `count` (what earlier runs did).
    pub(crate) fn new(mode: ShowProgress, unit: Unit, position: u64, count: u64) -> Self {
        let bar = match mode {
            ShowProgress::Auto => std::io::stderr().is_terminal(),
            ShowProgress::Bar => true,
            ShowProgress::Plain | ShowProgress::None => false,
        };
        let shown = if bar {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            bar.set_style(style("{spinner} [{elapsed_precise}] {msg}"));
            bar.set_position(position);
            Shown::Bar(bar)
        } else if mode == ShowProgress::None {
            Shown::Nothing
        } else {
            Shown::Plain {
                printed: Instant::now(),
            }
        };
        Self {
            shown,
            unit,
            total: None,
            started: Instant::now(),
            start: (position, count),
            last: (position, count),
            detail: String::new(),
        }
    }

    /// The position at the end, once known.
    pub(crate) fn set_total(&mut self, total: u64) {
        let total = total.max(self.last.0);
        self.total = Some(total);
        if let Shown::Bar(bar) = &self.shown {
            bar.set_length(total);
            bar.set_style(style(
                "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg} ETA {eta}",
            ));
        }
    }

    /// Done up to `position`, `count` in all; `detail` says more (contacts done, say).
    pub(crate) fn update(&mut self, position: u64, count: u64, detail: String) {
        self.last = (position, count);
        self.detail = detail;
        if self.total.is_some_and(|total| position > total) {
            self.set_total(position);
        }
        match &self.shown {
            Shown::Bar(bar) => {
                bar.set_position(position);
                bar.set_message(self.counted());
            }
            Shown::Plain { printed } if printed.elapsed() >= PLAIN_EVERY => {
                eprintln!("{}", self.line());
                self.shown = Shown::Plain {
                    printed: Instant::now(),
                };
            }
            _ => {}
        }
    }

    /// Takes the bar off the screen.
    pub(crate) fn finish(&self) {
        if let Shown::Bar(bar) = &self.shown {
            bar.finish_and_clear();
        }
    }

    /// The count, the rate and the detail: `120 rows, 40 rows/s`.
    fn counted(&self) -> String {
        format!("{} {}, {}", self.last.1, self.unit.noun, self.rate())
    }

    /// The rate of this run, and the detail: `40 rows/s, 3/8 contacts`.
    fn rate(&self) -> String {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            self.last.1.saturating_sub(self.start.1) as f64 / seconds
        } else {
            0.0
        };
        let mut text = format!("{rate:.0} {}/s", self.unit.noun);
        if !self.detail.is_empty() {
            text.push_str(", ");
            text.push_str(&self.detail);
        }
        text
    }

    /// The plain line: what was done, the share of the total, the rate, the ETA.
    fn line(&self) -> String {
        let (position, count) = self.last;
        let mut line = format!("progress: {count} {} {}", self.unit.noun, self.unit.done);
        let mut eta = "unknown".to_owned();
        if let Some(total) = self.total {
            let share = if total == 0 {
                100.0
            } else {
                position as f64 * 100.0 / total as f64
            };
            match self.unit.total_of {
                Some(of) => line.push_str(&format!(" ({share:.0} % of {of})")),
                None => line.push_str(&format!(" of {total} ({share:.0} %)")),
            }
            let moved = position.saturating_sub(self.start.0) as f64;
            if moved > 0.0 {
                let left = total.saturating_sub(position) as f64;
                eta = format!(
                    "{:.0} s",
                    left * self.started.elapsed().as_secs_f64() / moved
                );
            }
        }
        format!("{line}, {}, ETA {eta}", self.rate())
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: Unit = Unit {
        noun: "rows",
        done: "settled",
        total_of: Some("the file"),
    };

    #[test]
    fn the_plain_line_says_the_share_of_the_total_and_the_detail() {
        let mut progress = Progress::new(ShowProgress::None, ROWS, 0, 0);
        progress.set_total(200);
        progress.update(50, 10, String::new());
        let line = progress.line();
        assert!(
            line.starts_with("progress: 10 rows settled (25 % of the file), "),
            "{line}"
        );
        assert!(line.contains(" rows/s, ETA "), "{line}");

        let messages = Unit {
            noun: "messages",
            done: "exported",
            total_of: None,
        };
        let mut progress = Progress::new(ShowProgress::None, messages, 5, 5);
        assert!(progress.line().ends_with("ETA unknown"));
        progress.set_total(20);
        progress.update(10, 10, "1/2 contacts".into());
        let line = progress.line();
        assert!(
            line.starts_with("progress: 10 messages exported of 20 (50 %), "),
            "{line}"
        );
        assert!(line.contains("messages/s, 1/2 contacts, ETA "), "{line}");
        progress.update(30, 30, String::new());
        assert_eq!(progress.total, Some(30), "a total passed grows");
    }
}
