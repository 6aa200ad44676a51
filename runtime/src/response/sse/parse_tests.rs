use super::*;

const LIMITS: Limits = Limits {
    max_line: 1024,
    max_data: 4096,
};

fn feed(parser: &mut Parser, chunks: &[&[u8]]) -> Result<Vec<RawEvent>, ParseError> {
    let mut events = Vec::new();
    for chunk in chunks {
        parser.push(Bytes::copy_from_slice(chunk));
        while let Some(event) = parser.next_event()? {
            events.push(event);
        }
    }
    Ok(events)
}

/// Parses a whole stream given as chunks, ending it at the end.
fn parse_chunks(chunks: &[&[u8]]) -> Result<Vec<RawEvent>, ParseError> {
    let mut parser = Parser::new(LIMITS);
    let events = feed(&mut parser, chunks)?;
    parser.end_of_stream();
    Ok(events)
}

fn parse(stream: &str) -> Vec<RawEvent> {
    parse_chunks(&[stream.as_bytes()]).expect("within limits")
}

fn data(events: &[RawEvent]) -> Vec<&str> {
    events.iter().map(|e| e.data.as_str()).collect()
}

fn event(name: &str, data: &str, id: Option<&str>) -> RawEvent {
    RawEvent {
        event: name.to_owned(),
        data: data.to_owned(),
        id: id.map(str::to_owned),
        retry: None,
    }
}

#[test]
fn spec_example_messages_one_with_two_lines() {
    let events = parse(
        "data: This is the first message.\n\n\
         data: This is the second message, it\n\
         data: has two lines.\n\n\
         data: This is the third message.\n\n",
    );
    assert_eq!(
        data(&events),
        [
            "This is the first message.",
            "This is the second message, it\nhas two lines.",
            "This is the third message.",
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e.event == "message" && e.id.is_none())
    );
}

#[test]
fn spec_example_event_types() {
    let events = parse(
        "event: add\ndata: 73857293\n\n\
         event: remove\ndata: 2153\n\n\
         event: add\ndata: 113411\n\n",
    );
    assert_eq!(
        events,
        [
            event("add", "73857293", None),
            event("remove", "2153", None),
            event("add", "113411", None),
        ]
    );
}

#[test]
fn spec_example_multi_line_data_drops_the_last_newline() {
    assert_eq!(
        data(&parse("data: YHOO\ndata: +2\ndata: 10\n\n")),
        ["YHOO\n+2\n10"]
    );
}

#[test]
fn spec_example_comments_ids_and_one_stripped_space() {
    let events = parse(
        ": test stream\n\n\
         data: first event\nid: 1\n\n\
         data:second event\nid\n\n\
         data:  third event\n\n",
    );
    assert_eq!(
        events,
        [
            event("message", "first event", Some("1")),
            event("message", "second event", None),
            event("message", " third event", None),
        ]
    );
}

#[test]
fn spec_example_fields_without_colon_and_a_discarded_last_block() {
    // A lone `data` dispatches an empty string (the buffer held "\n"); two
    // make a single newline; the last block has no blank line after it.
    let events = parse("data\n\ndata\ndata\n\ndata:");
    assert_eq!(data(&events), ["", "\n"]);
}

#[test]
fn spec_example_space_after_colon_is_optional() {
    assert_eq!(
        data(&parse("data:test\n\ndata: test\n\n")),
        ["test", "test"]
    );
}

#[test]
fn only_one_leading_space_is_stripped_and_other_colons_stay() {
    assert_eq!(
        data(&parse("data:   a: b:c \n\n")),
        ["  a: b:c "],
        "one space stripped, later colons kept, trailing space kept"
    );
}

#[test]
fn lines_end_in_crlf_lf_or_cr() {
    assert_eq!(
        data(&parse("data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r")),
        ["a\nb\nc", "d"]
    );
}

#[test]
fn a_crlf_split_across_chunks_is_one_line_end() {
    let events = parse_chunks(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"]).expect("ok");
    assert_eq!(data(&events), ["a\nb"]);
}

#[test]
fn a_lone_cr_at_the_end_of_a_chunk_ends_its_line() {
    let mut parser = Parser::new(LIMITS);
    let events = feed(&mut parser, &[b"data: a\r\r"]).expect("ok");
    assert_eq!(data(&events), ["a"], "dispatched without waiting for an LF");
}

#[test]
fn an_initial_bom_is_stripped_once() {
    assert_eq!(data(&parse("\u{feff}data: a\n\n")), ["a"]);
    // A second BOM is part of the field name, which is then unknown.
    assert!(parse("\u{feff}\u{feff}data: a\n\n").is_empty());
    // A BOM later in the stream is not stripped.
    assert_eq!(data(&parse("data: \u{feff}a\n\n")), ["\u{feff}a"]);
    // Split in the middle of the BOM.
    let events = parse_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"]).expect("ok");
    assert_eq!(data(&events), ["a"]);
}

#[test]
fn utf8_split_inside_a_character_is_decoded_whole() {
    let text = "data: h\u{e9}\u{1f600}!\n\n".as_bytes();
    for split in 0..=text.len() {
        let (a, b) = text.split_at(split);
        let events = parse_chunks(&[a, b]).expect("ok");
        assert_eq!(data(&events), ["h\u{e9}\u{1f600}!"], "split at {split}");
    }
}

#[test]
fn invalid_utf8_becomes_replacement_characters() {
    let events = parse_chunks(&[b"data: a\xffb\xe2\x82\n\n"]).expect("ok");
    assert_eq!(data(&events), ["a\u{fffd}b\u{fffd}"]);
}

#[test]
fn comments_are_ignored_and_do_not_dispatch() {
    let events = parse(":keep-alive\n\n: another\ndata: x\n:mid\n\n");
    assert_eq!(data(&events), ["x"]);
}

#[test]
fn unknown_fields_are_ignored() {
    let events = parse("foo: bar\nDATA: no\ndata: yes\nEvent: no\n\n");
    assert_eq!(events, [event("message", "yes", None)]);
}

#[test]
fn event_type_is_reset_after_each_dispatch_even_without_data() {
    let events = parse("event: a\n\ndata: x\n\nevent: b\ndata: y\n\ndata: z\n\n");
    assert_eq!(
        events,
        [
            event("message", "x", None),
            event("b", "y", None),
            event("message", "z", None)
        ]
    );
}

#[test]
fn the_last_event_id_persists_until_set_again() {
    let events = parse("id: 7\ndata: a\n\ndata: b\n\nid:\ndata: c\n\n");
    assert_eq!(
        events,
        [
            event("message", "a", Some("7")),
            event("message", "b", Some("7")),
            event("message", "c", None),
        ]
    );
}

#[test]
fn an_id_with_nul_is_ignored() {
    let events = parse("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n");
    assert_eq!(events[1].id.as_deref(), Some("1"));
}

#[test]
fn an_id_without_data_still_sets_the_last_event_id() {
    let mut parser = Parser::new(LIMITS);
    assert!(feed(&mut parser, &[b"id: 9\n\n"]).expect("ok").is_empty());
    assert_eq!(parser.last_event_id(), Some("9"));
}

#[test]
fn retry_takes_only_ascii_digits() {
    let mut parser = Parser::new(LIMITS);
    let events = feed(&mut parser, &[b"retry: 1500\ndata: a\n\n"]).expect("ok");
    assert_eq!(events[0].retry, Some(Duration::from_millis(1500)));
    assert_eq!(
        parser.reconnection_time(),
        Some(Duration::from_millis(1500))
    );

    for bad in [
        "retry: 1.5",
        "retry: -1",
        "retry: 10ms",
        "retry:  10",
        "retry:",
        "retry: \u{661}",
        "retry: 99999999999999999999999",
    ] {
        let stream = format!("{bad}\ndata: b\n\n");
        let events = feed(&mut parser, &[stream.as_bytes()]).expect("ok");
        assert_eq!(events[0].retry, None, "{bad}");
        assert_eq!(
            parser.reconnection_time(),
            Some(Duration::from_millis(1500)),
            "{bad}"
        );
    }
}

#[test]
fn an_incomplete_event_at_the_end_is_discarded() {
    assert!(parse("data: a\n").is_empty());
    assert!(parse("data: a").is_empty());
    assert!(parse("event: x\ndata: a\nid: 3").is_empty());
}

#[test]
fn a_reconnect_keeps_the_last_id_and_retry_but_not_the_torn_event() {
    let mut parser = Parser::new(LIMITS);
    let first = feed(
        &mut parser,
        &[b"retry: 200\nid: 1\ndata: a\n\nid: 2\nevent: x\ndata: torn"],
    )
    .expect("ok");
    assert_eq!(data(&first), ["a"]);
    parser.end_of_stream();
    assert_eq!(parser.last_event_id(), Some("1"), "the torn id is not kept");
    assert_eq!(parser.reconnection_time(), Some(Duration::from_millis(200)));

    // The new connection may start with its own BOM; no torn data leaks in.
    let second = feed(&mut parser, &["\u{feff}data: b\n\n".as_bytes()]).expect("ok");
    assert_eq!(second, [event("message", "b", Some("1"))]);
}

#[test]
fn a_line_over_the_limit_is_an_error_even_split_in_chunks() {
    let limits = Limits {
        max_line: 8,
        max_data: 100,
    };
    let mut parser = Parser::new(limits);
    assert!(feed(&mut parser, &[b"data:123\n\n"]).is_ok(), "8 bytes fit");
    let mut parser = Parser::new(limits);
    assert_eq!(
        feed(&mut parser, &[b"data:1234\n"]),
        Err(ParseError::LineTooLong { limit: 8 })
    );
    // Without a line end in sight the parser stops as soon as the limit is passed.
    let mut parser = Parser::new(limits);
    assert_eq!(
        feed(&mut parser, &[b"data", b":12", b"34"]),
        Err(ParseError::LineTooLong { limit: 8 })
    );
}

#[test]
fn data_over_the_limit_is_an_error() {
    let limits = Limits {
        max_line: 100,
        max_data: 8,
    };
    // "abc\n" + "def\n" is 8 bytes: fits.
    let mut parser = Parser::new(limits);
    let events = feed(&mut parser, &[b"data: abc\ndata: def\n\n"]).expect("fits");
    assert_eq!(data(&events), ["abc\ndef"]);
    let mut parser = Parser::new(limits);
    assert_eq!(
        feed(&mut parser, &[b"data: abc\ndata: defg\n\n"]),
        Err(ParseError::DataTooLarge { limit: 8 })
    );
    assert_eq!(ParseError::DataTooLarge { limit: 8 }.limit(), 8);
}

/// A stream with every feature in it: BOM, CRLF, CR, LF, comments,
/// multi-byte text, ids, retry, a field without a colon, and a torn tail.
const SAMPLE: &[u8] =
    b"\xEF\xBB\xBF: hi\r\nevent: greet\r\ndata: h\xC3\xA9llo\r\ndata:w\xF0\x9F\x98\x80rld\r\n\r\n\
id: 42\rretry: 3000\rdata\r\rdata: {\"a\":1}\n\nid\ndata: x\r\n\r\ndata: torn";

fn sample_expected() -> Vec<RawEvent> {
    vec![
        event("greet", "h\u{e9}llo\nw\u{1f600}rld", None),
        RawEvent {
            retry: Some(Duration::from_millis(3000)),
            ..event("message", "", Some("42"))
        },
        event("message", "{\"a\":1}", Some("42")),
        event("message", "x", None),
    ]
}

#[test]
fn the_sample_parses_as_expected_in_one_chunk() {
    assert_eq!(parse_chunks(&[SAMPLE]).expect("ok"), sample_expected());
}

#[test]
fn the_result_does_not_depend_on_where_chunks_split() {
    let expected = sample_expected();
    for i in 0..=SAMPLE.len() {
        let (a, b) = SAMPLE.split_at(i);
        assert_eq!(parse_chunks(&[a, b]).expect("ok"), expected, "split at {i}");
        for j in i..=SAMPLE.len() {
            let (b, c) = SAMPLE[i..].split_at(j - i);
            assert_eq!(
                parse_chunks(&[a, b, c]).expect("ok"),
                expected,
                "split at {i} and {j}"
            );
        }
    }
    let bytes: Vec<&[u8]> = SAMPLE.chunks(1).collect();
    assert_eq!(parse_chunks(&bytes).expect("ok"), expected, "byte by byte");
}

#[test]
fn pushing_before_draining_keeps_the_unread_rest() {
    let mut parser = Parser::new(LIMITS);
    parser.push(Bytes::from_static(b"data: a\n\ndata: b"));
    assert_eq!(
        parser.next_event().expect("ok").map(|e| e.data),
        Some("a".into())
    );
    parser.push(Bytes::from_static(b"\n\n"));
    assert_eq!(
        parser.next_event().expect("ok").map(|e| e.data),
        Some("b".into())
    );
    assert_eq!(parser.next_event().expect("ok"), None);
}
