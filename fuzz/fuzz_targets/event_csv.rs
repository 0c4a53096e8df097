//! Fuzzes the event-CSV importer: any bytes give an import or an input error, never a panic.
#![no_main]

mod common;

use dealsim::import::event_csv::{EventCsv, Mapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a timestamp format, so the day-first, US and pattern parsers are
    // fuzzed too; the rest is the file.
    let (choice, file) = data.split_first().map_or((0, data), |(c, f)| (*c, f));
    let format = ["iso", "dd.mm.yyyy", "m/d/yyyy", "%d/%m/%Y %H:%M%z"][(choice % 4) as usize];
    common::run("events.csv", file, |path| {
        Box::new(EventCsv {
            path,
            mapping: Mapping {
                timestamp_format: Some(format.to_string()),
                ..Mapping::default()
            },
        })
    });
});
