//! A hostile or broken STS (issue 16, findings 3, 4 and 6): deep nesting, secrets in every
//! spelling and huge malformed bodies end as the AWS CLI ends them — the same exit code and
//! text (expected values from the reference CLI v2.36.7 against the same bodies) — in
//! linear time, without a crash and without a secret on stderr.

mod common;

use std::time::Duration;

use common::*;

const LIMIT: Duration = Duration::from_secs(60);

fn role_arn_call(body: String) -> (Outcome, usize) {
    let home = tempfile::tempdir().unwrap();
    let sts = Server::start(vec![Reply::Respond(200, "text/xml", body)]);
    let mut args = argv("eks get-token --cluster-name a --region us-west-2 --role-arn");
    args.push(ROLE);
    let url = sts.url();
    let mut env = STATIC_KEYS.to_vec();
    env.extend([
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("AWS_MAX_ATTEMPTS", "1"),
    ]);
    let out = run(home.path(), &args, &env, LIMIT);
    (out, sts.requests().len())
}

fn parse_error(reason: &str, echo: &str) -> String {
    format!("\naws: [ERROR]: Unable to parse response ({reason}), invalid XML received. Further retries may succeed:\nb'{echo}'\n")
}

/// expat has no depth limit; neither have we, and nothing recurses: 30,000 nested elements
/// used to overflow the stack (SIGSEGV). The texts are the reference's.
#[test]
fn thirty_thousand_nested_elements_end_as_in_the_cli() {
    let n = 30_000;
    let open = "<a>".repeat(n);
    let (out, calls) = role_arn_call(format!("{open}{}", "</a>".repeat(n)));
    assert_eq!((out.rc, out.stdout.as_str(), calls), (255, "", 1));
    assert_eq!(out.stderr, "\naws: [ERROR]: 'AssumeRoleResult'\n");

    let (out, _) = role_arn_call(open.clone());
    assert_eq!(out.rc, 255);
    assert_eq!(
        out.stderr,
        parse_error("no element found: line 1, column 90000", &open)
    );

    let (out, _) = role_arn_call(format!("{open}</b>"));
    assert_eq!(out.rc, 255);
    assert_eq!(
        out.stderr,
        parse_error(
            "mismatched tag: line 1, column 90002",
            &format!("{open}</b>")
        )
    );
}

/// The echo of a cut or corrupt credentials answer hides secrets in CDATA (even CDATA that
/// holds the closing tag), behind a comment, in nested elements of the same name, in tags
/// with attributes, whitespace or a namespace prefix, and in secret-named attributes —
/// as `--debug` hides them.
#[test]
fn no_secret_reaches_a_parse_error() {
    let body = "<AssumeRoleResponse><AssumeRoleResult><Credentials>\
        <SessionToken><![CDATA[abc</SessionToken>SECRET1]]></SessionToken>\
        <SecretAccessKey a=\"1\">SECRET2</SecretAccessKey>\
        <x:SecretAccessKey xmlns:x=\"u\">SECRET3</x:SecretAccessKey>\
        <SecretAccessKey\n>SECRET4</SecretAccessKey\n>\
        <Credentials SessionToken=\"SECRET5\"/>\
        <SessionToken><!-- </SessionToken> -->SECRET6</SessionToken>\
        <SessionToken><SessionToken>x</SessionToken>SECRET7</SessionToken>\
        <SessionToken>SECRET8";
    let (out, _) = role_arn_call(body.to_string());
    assert_eq!(out.rc, 255);
    assert!(
        out.stderr.starts_with(
            "\naws: [ERROR]: Unable to parse response (no element found: line 3, column 185)"
        ),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("SECRET"), "{}", out.stderr);
    assert!(out.stderr.ends_with("<SessionToken>(redacted)'\n"));
}

/// A large malformed body full of secret elements is masked and echoed in one pass: 8 MB
/// (which the old splicing masker took minutes for) ends well within the limit, with
/// every secret masked and every byte of the rest echoed.
#[test]
fn a_large_malformed_body_is_echoed_in_one_pass() {
    let unit = "<SecretAccessKey>abc</SecretAccessKey><SessionToken>tok'</SessionToken><AccessKeyId>ASIA</AccessKeyId>";
    let body = format!(
        "<AssumeRoleResponse><AssumeRoleResult><Credentials>{}<SessionToken>cut",
        unit.repeat(8_000_000 / unit.len())
    );
    let (out, _) = role_arn_call(body.clone());
    assert_eq!(out.rc, 255);
    let masked = unit
        .replace(">abc<", ">(redacted)<")
        .replace(">tok'<", ">(redacted)<");
    let echo = format!(
        "<AssumeRoleResponse><AssumeRoleResult><Credentials>{}<SessionToken>(redacted)",
        masked.repeat(8_000_000 / unit.len())
    );
    let line_col = format!("line 1, column {}", body.len());
    assert_eq!(
        out.stderr,
        parse_error(&format!("no element found: {line_col}"), &echo)
    );
}
