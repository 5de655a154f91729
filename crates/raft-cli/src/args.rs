//! Hand-written argument parsing: `raftsim COMMAND [FLAGS]`. Flags take their value as the next
//! argument or after `=` (`--seed 7`, `--seed=7`). Every mistake is a sentence for the user.

use raft_core::Faults;

pub const USAGE: &str = "\
raftsim: run Raft scenarios and chaos schedules in a deterministic simulator.

USAGE
  raftsim run FILE|NAME [--seed S] [--fault NAME]... [--json]
      Run a built-in scenario (by NAME, see 'raftsim list') or a scenario JSON file, print
      its timeline, every expectation with PASS/FAIL, the trace hash and a summary.
        --seed S       use seed S instead of the scenario's own
        --fault NAME   switch on a teaching fault (repeatable)
        --json         print one JSON object instead: scenario, seed, trace_hash, passed,
                       violations, checks and every record

  raftsim chaos [--seeds N] [--first S] [--nodes K] [--duration MS] [--fault NAME]
                [--jobs J] [--verbose] [--trace]
      Run N random fault schedules (seeds S..S+N-1), check safety after every event and
      liveness after healing; print each failing seed with a command that reproduces it.
      Seeds that run far longer than expected are reported as RUNAWAY and raftsim gives up.
        --seeds N      how many seeds (default 100, at least 1)
        --first S      the first seed (default 1)
        --nodes K      cluster size, 1 to 25 (default 5)
        --duration MS  length of the faulty phase in virtual ms (default 60000)
        --fault NAME   switch on a teaching fault
        --jobs J       worker threads (default: the number of CPUs)
        --verbose      print a line for every seed, passing ones too
        --trace        with --seeds 1: print the last 200 records of the run

  raftsim list
      List the built-in scenarios and the teaching faults.

  raftsim help | --help
      Print this text.

EXIT STATUS
  0  everything held; 1  an expectation, action, invariant or chaos seed failed;
  2  bad input (unknown command or flag, bad number, unreadable or invalid scenario).
";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Help,
    List,
    Run(RunArgs),
    Chaos(ChaosArgs),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunArgs {
    /// A built-in scenario name or a path to a JSON file.
    pub target: String,
    pub seed: Option<u64>,
    pub faults: Vec<String>,
    pub json: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChaosArgs {
    pub seeds: u64,
    pub first: u64,
    pub nodes: usize,
    pub duration_ms: u64,
    pub fault: Option<String>,
    pub jobs: usize,
    pub verbose: bool,
    pub trace: bool,
}

pub const MAX_NODES: usize = 25;
pub const MAX_DURATION_MS: u64 = 3_600_000;

/// Walks the arguments of one command, splitting `--flag=value`.
struct Cursor<'a> {
    args: &'a [String],
    at: usize,
    command: &'static str,
}

/// One argument: a flag (with a value given after `=`, if any) or a positional word.
enum Arg<'a> {
    Flag {
        name: &'a str,
        inline: Option<&'a str>,
    },
    Word(&'a str),
    /// A single-dash option, which raftsim does not have.
    Short(&'a str),
}

impl<'a> Cursor<'a> {
    fn next(&mut self) -> Option<Arg<'a>> {
        let a = self.args.get(self.at)?;
        self.at += 1;
        if let Some(rest) = a.strip_prefix("--").filter(|r| !r.is_empty()) {
            let (name, inline) = match rest.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (rest, None),
            };
            return Some(Arg::Flag { name, inline });
        }
        if a.len() > 1 && a.starts_with('-') {
            return Some(Arg::Short(a));
        }
        Some(Arg::Word(a))
    }

    /// The value of flag `--name`: after `=`, or the next argument.
    fn value(&mut self, name: &str, inline: Option<&'a str>) -> Result<&'a str, String> {
        if let Some(v) = inline {
            return Ok(v);
        }
        match self.args.get(self.at) {
            Some(v) if !v.starts_with("--") => {
                self.at += 1;
                Ok(v)
            }
            _ => Err(format!("'{} --{name}' needs a value", self.command)),
        }
    }

    fn number(&mut self, name: &str, inline: Option<&'a str>) -> Result<u64, String> {
        let v = self.value(name, inline)?;
        v.parse::<u64>().map_err(|_| format!("--{name} expects a whole number, not '{v}'"))
    }

    fn no_value(&self, name: &str, inline: Option<&str>) -> Result<(), String> {
        match inline {
            Some(v) => Err(format!("--{name} takes no value (got '{v}')")),
            None => Ok(()),
        }
    }

    fn unknown(&self, name: &str) -> String {
        format!("unknown flag '--{name}' for '{}'", self.command)
    }
}

fn is_help(a: &str) -> bool {
    matches!(a, "--help" | "-h" | "help")
}

/// Parses the arguments after the program name.
pub fn parse(argv: &[String]) -> Result<Command, String> {
    let Some(first) = argv.first() else { return Ok(Command::Help) };
    if is_help(first) || argv.iter().skip(1).any(|a| a == "--help" || a == "-h") {
        return Ok(Command::Help);
    }
    let rest = &argv[1..];
    match first.as_str() {
        "run" => parse_run(rest).map(Command::Run),
        "chaos" => parse_chaos(rest).map(Command::Chaos),
        "list" => match rest.first() {
            None => Ok(Command::List),
            Some(a) => Err(format!("'list' takes no arguments (got '{a}')")),
        },
        other if other.starts_with('-') => Err(format!("unknown flag '{other}': a command comes first")),
        other => Err(format!("unknown command '{other}' (commands: run, chaos, list, help)")),
    }
}

fn check_fault(name: &str) -> Result<String, String> {
    if Faults::ALL.iter().any(|f| f.name == name) {
        return Ok(name.to_string());
    }
    let known: Vec<&str> = Faults::ALL.iter().map(|f| f.name).collect();
    Err(format!("unknown teaching fault '{name}' (known: {})", known.join(", ")))
}

fn parse_run(args: &[String]) -> Result<RunArgs, String> {
    let mut c = Cursor { args, at: 0, command: "run" };
    let mut target = None;
    let mut out = RunArgs { target: String::new(), seed: None, faults: Vec::new(), json: false };
    while let Some(arg) = c.next() {
        match arg {
            Arg::Flag { name: "seed", inline } => out.seed = Some(c.number("seed", inline)?),
            Arg::Flag { name: "fault", inline } => {
                let f = check_fault(c.value("fault", inline)?)?;
                if !out.faults.contains(&f) {
                    out.faults.push(f);
                }
            }
            Arg::Flag { name: "json", inline } => {
                c.no_value("json", inline)?;
                out.json = true;
            }
            Arg::Flag { name, .. } => return Err(c.unknown(name)),
            Arg::Short(a) => return Err(format!("unknown flag '{a}' for 'run' (flags are spelled --name)")),
            Arg::Word(w) => match target {
                None => target = Some(w.to_string()),
                Some(_) => return Err(format!("'run' takes one scenario, got a second one: '{w}'")),
            },
        }
    }
    out.target = target.ok_or("'run' needs a scenario: a built-in name (see 'raftsim list') or a JSON file")?;
    Ok(out)
}

fn parse_chaos(args: &[String]) -> Result<ChaosArgs, String> {
    let mut c = Cursor { args, at: 0, command: "chaos" };
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = ChaosArgs {
        seeds: 100,
        first: 1,
        nodes: 5,
        duration_ms: 60_000,
        fault: None,
        jobs,
        verbose: false,
        trace: false,
    };
    while let Some(arg) = c.next() {
        match arg {
            Arg::Flag { name: "seeds", inline } => out.seeds = c.number("seeds", inline)?,
            Arg::Flag { name: "first", inline } => out.first = c.number("first", inline)?,
            Arg::Flag { name: "nodes", inline } => {
                out.nodes = usize::try_from(c.number("nodes", inline)?).unwrap_or(usize::MAX)
            }
            Arg::Flag { name: "duration", inline } => out.duration_ms = c.number("duration", inline)?,
            Arg::Flag { name: "fault", inline } => out.fault = Some(check_fault(c.value("fault", inline)?)?),
            Arg::Flag { name: "jobs", inline } => {
                out.jobs = usize::try_from(c.number("jobs", inline)?).unwrap_or(usize::MAX)
            }
            Arg::Flag { name: "verbose", inline } => {
                c.no_value("verbose", inline)?;
                out.verbose = true;
            }
            Arg::Flag { name: "trace", inline } => {
                c.no_value("trace", inline)?;
                out.trace = true;
            }
            Arg::Flag { name, .. } => return Err(c.unknown(name)),
            Arg::Short(a) => return Err(format!("unknown flag '{a}' for 'chaos' (flags are spelled --name)")),
            Arg::Word(w) => return Err(format!("'chaos' takes only flags, not '{w}'")),
        }
    }
    if out.seeds == 0 {
        return Err("--seeds must be at least 1".into());
    }
    if out.first.checked_add(out.seeds).is_none() {
        return Err(format!("--first {} plus --seeds {} overflows the seed range", out.first, out.seeds));
    }
    if out.nodes == 0 || out.nodes > MAX_NODES {
        return Err(format!("--nodes must be between 1 and {MAX_NODES}, not {}", out.nodes));
    }
    if out.duration_ms == 0 || out.duration_ms > MAX_DURATION_MS {
        return Err(format!("--duration must be between 1 and {MAX_DURATION_MS} ms, not {}", out.duration_ms));
    }
    if out.jobs == 0 {
        return Err("--jobs must be at least 1".into());
    }
    if out.trace && out.seeds != 1 {
        return Err(format!("--trace prints one run: use it with --seeds 1 (got --seeds {})", out.seeds));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Command, String> {
        parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn run_flags_in_both_spellings() {
        let Ok(Command::Run(r)) = p("run x.json --seed=7 --fault double-vote --json") else { panic!() };
        assert_eq!(
            r,
            RunArgs { target: "x.json".into(), seed: Some(7), faults: vec!["double-vote".into()], json: true }
        );
    }

    #[test]
    fn chaos_defaults_and_validation() {
        let Ok(Command::Chaos(c)) = p("chaos") else { panic!() };
        assert_eq!((c.seeds, c.first, c.nodes, c.duration_ms), (100, 1, 5, 60_000));
        assert!(c.jobs >= 1);
        for (bad, says) in [
            ("chaos --seeds 0", "at least 1"),
            ("chaos --nodes 26", "between 1 and 25"),
            ("chaos --nodes 0", "between 1 and 25"),
            ("chaos --seeds x", "whole number"),
            ("chaos --seeds", "needs a value"),
            ("chaos --seeds 5 --trace", "--seeds 1"),
            ("chaos --fault nope", "unknown teaching fault"),
            ("chaos --bogus", "unknown flag '--bogus'"),
            ("chaos --verbose=yes", "takes no value"),
            ("run", "needs a scenario"),
            ("run a b", "second one"),
            ("frobnicate", "unknown command"),
            ("list extra", "no arguments"),
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn help_anywhere() {
        assert_eq!(p(""), Ok(Command::Help));
        assert_eq!(p("help"), Ok(Command::Help));
        assert_eq!(p("--help"), Ok(Command::Help));
        assert_eq!(p("run --help"), Ok(Command::Help));
    }
}
