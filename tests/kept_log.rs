//! `dealsim run` scores the log the simulation keeps instead of reading back the files it has
//! just written. That is only right if the kept log is the log the files hold: every deal and
//! event field equal, names compared through each log's own symbol table (the engine and the
//! reader number names differently), forecasts and values bit for bit.

use dealsim::log::read::read_log;
use dealsim::log::{Log, Sym};
use dealsim::scenario::Scenario;
use dealsim::simulate::{simulate_to_dir, DEALS_FILE, EVENTS_FILE};
use indicatif::ProgressBar;

/// A deal with names resolved and floats as bits: comparable across symbol tables. The case id
/// is compared as text; the internal `DealId` is not (the reader numbers rows, the engine its
/// deals, and nothing after the log reads it).
fn deal_facts(log: &Log, i: usize) -> String {
    let name = |s: Sym| log.symbols.name(s).to_string();
    let opt = |s: Option<Sym>| s.map(name);
    let d = &log.deals[i];
    format!(
        "{} {} {} {} {:?} {:?} {:?} {:?} {:?} {:?}",
        log.case_ids[i],
        name(d.segment),
        name(d.rep),
        name(d.source),
        d.value.to_bits(),
        d.created,
        d.closed,
        d.outcome,
        opt(d.lost_stage),
        opt(d.lost_step),
    )
}

fn event_facts(log: &Log, i: usize) -> Vec<String> {
    let name = |s: Sym| log.symbols.name(s).to_string();
    log.events_of(i)
        .iter()
        .map(|e| {
            format!(
                "{:?} {} {:?} {} {:?} {:?} {:?} {:?} {:?}",
                e.time,
                name(e.activity),
                e.lifecycle,
                name(e.resource),
                e.stage.get().map(name),
                e.step.get().map(name),
                e.card_field.get().map(name),
                e.forecast_probability.get().map(f32::to_bits),
                e.expected_close.get(),
            )
        })
        .collect()
}

fn assert_kept_log_is_the_files(scenario: &Scenario) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("run");
    let sim =
        simulate_to_dir(scenario, &out, "test", &ProgressBar::hidden(), true).expect("simulates");
    let kept = sim.log.expect("the log was asked for");
    let read = read_log(&sim.dir.join(EVENTS_FILE), &sim.dir.join(DEALS_FILE)).expect("reads");
    assert_eq!(kept.deals.len(), read.deals.len());
    assert_eq!(kept.events.len(), read.events.len());
    assert_eq!(kept.offsets, read.offsets);
    let mut forecasts = 0;
    for i in 0..kept.deals.len() {
        assert_eq!(deal_facts(&kept, i), deal_facts(&read, i), "deal row {i}");
        assert_eq!(
            event_facts(&kept, i),
            event_facts(&read, i),
            "events of deal row {i}"
        );
        forecasts += kept
            .events_of(i)
            .iter()
            .filter(|e| e.forecast_probability.get().is_some())
            .count();
    }
    // The comparison covered the field that needed canonical rounding.
    assert!(forecasts > 1000, "only {forecasts} forecast updates");
}

#[test]
fn the_kept_log_equals_the_files_read_back() {
    let default = Scenario::embedded_default()
        .with_target_deals(3000, "test")
        .expect("valid deal count");
    assert_kept_log_is_the_files(&default);
    assert_kept_log_is_the_files(&default.with_seed(7));
}

#[test]
fn no_log_is_kept_unless_asked_for() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let scenario = Scenario::embedded_default()
        .with_target_deals(200, "test")
        .expect("valid deal count");
    let sim = simulate_to_dir(
        &scenario,
        &tmp.path().join("run"),
        "test",
        &ProgressBar::hidden(),
        false,
    )
    .expect("simulates");
    assert!(sim.log.is_none());
}
