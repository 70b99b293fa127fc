//! `aws … sts get-caller-identity …` invocations, against a fake STS answering
//! GetCallerIdentity (well-formed and odd XML, service errors, throttling, bodies that are
//! not XML).

use super::common::{self, Setup};
use super::credentials;
use super::spec::{CaseSpec, Draw, Opt};
use super::Generator;
use serde_json::{json, Value};

/// Member names of the GetCallerIdentity output, for `--query`.
const FIELDS: &[&str] = &["Account", "Arn", "UserId"];

const ACTION: &str = "GetCallerIdentity";
const NS: &str = "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"";

pub struct GetCallerIdentity;

impl Generator for GetCallerIdentity {
    fn name(&self) -> &'static str {
        "sts-get-caller-identity"
    }

    fn generate(&self, d: &mut Draw) -> CaseSpec {
        let mut s = Setup::new(d);
        credentials::caller(d, &mut s);
        let answers = answers(d);
        credentials::fake_sts(d, &mut s, answers);
        common::endpoints(d, &mut s);
        common::output(d, &mut s, FIELDS);
        input_options(d, &mut s);
        common::misc(d, &mut s);
        s.finish(d, &["sts", "get-caller-identity"])
    }
}

/// A GetCallerIdentity response of status 200 with this result body.
fn result(inner: &str) -> Value {
    let body = format!(
        "<{ACTION}Response {NS}><{ACTION}Result>{inner}</{ACTION}Result><ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata></{ACTION}Response>"
    );
    raw(200, "text/xml", &body)
}

fn raw(status: u16, ctype: &str, body: &str) -> Value {
    json!({"match": {"Action": ACTION}, "status": status, "content_type": ctype, "body": body})
}

fn error(status: u16, code: &str, message: Option<&str>) -> Value {
    let msg = message.map_or(String::new(), |m| format!("<Message>{m}</Message>"));
    let body = format!(
        "<ErrorResponse {NS}><Error><Type>Sender</Type><Code>{code}</Code>{msg}</Error><RequestId>req-err</RequestId></ErrorResponse>"
    );
    raw(status, "text/xml", &body)
}

/// The fake STS's answers to GetCallerIdentity.
fn answers(d: &mut Draw) -> Vec<Value> {
    const ALICE: &str = "<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account>";
    let ok = result(ALICE);
    let kind = d.weighted(&[
        (40, "success"),
        (4, "assumed-role"),
        (3, "member-order"),
        (3, "missing-member"),
        (3, "empty-members"),
        (2, "self-closing"),
        (3, "entities"),
        (2, "cdata"),
        (2, "pretty-printed"),
        (2, "xml-declaration"),
        (2, "no-namespace"),
        (2, "unknown-members"),
        (2, "unicode"),
        (2, "numeric-looking"),
        (1, "long-values"),
        (4, "invalid-client-token"),
        (3, "signature-mismatch"),
        (3, "expired-token"),
        (2, "access-denied-no-message"),
        (2, "empty-message"),
        (3, "throttling-then-success"),
        (1, "throttling"),
        (3, "500-then-success"),
        (1, "500"),
        (2, "malformed-xml"),
        (2, "empty-200"),
        (1, "html-503"),
        (1, "text-400"),
        (1, "json-200"),
        (1, "error-without-code"),
        (1, "no-result-element"),
        (1, "unexpected-root"),
        (1, "404-not-served"),
    ]);
    d.tag(format!("sts {kind}"));
    match kind {
        "success" => vec![ok],
        "assumed-role" => vec![result(
            "<Arn>arn:aws:sts::123456789012:assumed-role/eks-admin/session</Arn><UserId>AROAEXAMPLEID:session</UserId><Account>123456789012</Account>",
        )],
        "member-order" => vec![result(
            "<Account>123456789012</Account><UserId>AIDAEXAMPLEUSERID</UserId><Arn>arn:aws:iam::123456789012:user/alice</Arn>",
        )],
        "missing-member" => vec![result(d.pick(&[
            "<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLEUSERID</UserId>",
            "<UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account>",
            "<Account>123456789012</Account>",
            "",
        ]))],
        "empty-members" => vec![result(
            "<Arn></Arn><UserId></UserId><Account></Account>",
        )],
        "self-closing" => vec![result(
            "<Arn/><UserId>AIDAEXAMPLEUSERID</UserId><Account />",
        )],
        "entities" => vec![result(
            "<Arn>arn:aws:iam::123456789012:user/a&amp;b&lt;c&gt;&quot;&apos;</Arn><UserId>AIDA&#233;&#x1F600;</UserId><Account>123456789012</Account>",
        )],
        "cdata" => vec![result(
            "<Arn><![CDATA[arn:aws:iam::123456789012:user/<cdata>]]></Arn><UserId>AIDAEXAMPLEUSERID</UserId><Account>123456789012</Account>",
        )],
        "pretty-printed" => vec![raw(
            200,
            "text/xml",
            &format!("<{ACTION}Response {NS}>\n  <{ACTION}Result>\n    <Arn>arn:aws:iam::123456789012:user/alice</Arn>\n    <UserId>AIDAEXAMPLEUSERID</UserId>\n    <Account>123456789012</Account>\n  </{ACTION}Result>\n  <ResponseMetadata>\n    <RequestId>r</RequestId>\n  </ResponseMetadata>\n</{ACTION}Response>\n"),
        )],
        "xml-declaration" => vec![raw(
            200,
            "text/xml",
            &format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{ACTION}Response {NS}><{ACTION}Result>{ALICE}</{ACTION}Result></{ACTION}Response>"),
        )],
        "no-namespace" => vec![raw(
            200,
            "text/xml",
            &format!("<{ACTION}Response><{ACTION}Result>{ALICE}</{ACTION}Result></{ACTION}Response>"),
        )],
        "unknown-members" => vec![result(&format!(
            "{ALICE}<Extra>x</Extra><Nested><A>1</A></Nested>"
        ))],
        "unicode" => vec![result(
            "<Arn>arn:aws:iam::123456789012:user/ünïcødé-名前</Arn><UserId>AIDA\u{1F600}</UserId><Account>123456789012</Account>",
        )],
        "numeric-looking" => vec![result(
            "<Arn>1e400</Arn><UserId>0012</UserId><Account>000000000001</Account>",
        )],
        "long-values" => {
            let long = "x".repeat(300);
            vec![result(&format!(
                "<Arn>arn:aws:iam::123456789012:user/{long}</Arn><UserId>AIDA {long}</UserId><Account>123456789012</Account>"
            ))]
        }
        "invalid-client-token" => vec![error(
            403,
            "InvalidClientTokenId",
            Some("The security token included in the request is invalid."),
        )],
        "signature-mismatch" => vec![error(
            403,
            "SignatureDoesNotMatch",
            Some("The request signature we calculated does not match the signature you provided."),
        )],
        "expired-token" => vec![error(
            400,
            "ExpiredToken",
            Some("The security token included in the request is expired"),
        )],
        "access-denied-no-message" => vec![error(403, "AccessDenied", None)],
        "empty-message" => vec![error(400, "ValidationError", Some(""))],
        "throttling-then-success" => vec![error(400, "Throttling", Some("Rate exceeded")), ok],
        "throttling" => vec![error(400, "Throttling", Some("Rate exceeded"))],
        "500-then-success" => vec![error(500, "InternalFailure", Some("oops")), ok],
        "500" => vec![error(500, "InternalFailure", None)],
        "malformed-xml" => vec![raw(
            200,
            "text/xml",
            d.pick(&[
                "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>",
                "<a><b></a>",
                "not xml at all",
            ]),
        )],
        "empty-200" => vec![raw(200, "text/xml", "")],
        "html-503" => vec![raw(503, "text/html", "<html><body>Service Unavailable</body></html>")],
        "text-400" => vec![raw(400, "text/plain", "bad request")],
        "json-200" => vec![raw(
            200,
            "application/json",
            "{\"Account\": \"123456789012\", \"Arn\": \"arn\", \"UserId\": \"u\"}",
        )],
        "error-without-code" => vec![raw(
            400,
            "text/xml",
            &format!("<ErrorResponse {NS}><Error><Message>no code here</Message></Error></ErrorResponse>"),
        )],
        "no-result-element" => vec![raw(
            200,
            "text/xml",
            &format!("<{ACTION}Response {NS}><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{ACTION}Response>"),
        )],
        "unexpected-root" => vec![raw(
            200,
            "text/xml",
            &format!("<Other {NS}><OtherResult>{ALICE}</OtherResult></Other>"),
        )],
        // Answers only another action: the server says 404 with an empty body.
        _ => vec![json!({"match": {"Action": "Nothing"}, "status": 200, "body": ""})],
    }
}

/// The generic operation's input options: `--cli-input-json` / `--cli-input-yaml`,
/// `--generate-cli-skeleton`.
fn input_options(d: &mut Draw, s: &mut Setup) {
    if !d.chance(5) {
        return;
    }
    let (name, value) = d.pick(&[
        ("--cli-input-json", "{}"),
        ("--cli-input-json", "[]"),
        ("--cli-input-json", "{\"Unknown\": 1}"),
        ("--cli-input-json", "{bad"),
        ("--cli-input-yaml", "{}"),
        ("--cli-input-yaml", "a: [1"),
        ("--generate-cli-skeleton", "input"),
        ("--generate-cli-skeleton", "output"),
        ("--generate-cli-skeleton", "yaml-input"),
        ("--generate-cli-skeleton", "bogus"),
    ]);
    d.tag(format!("{name} {value:?}"));
    s.opts.push(Opt::command(name, value));
}
