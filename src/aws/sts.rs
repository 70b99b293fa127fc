//! STS `AssumeRole` and `AssumeRoleWithWebIdentity` as botocore sends and reads them:
//! query protocol (form POST), SigV4 header auth (or none), standard retries, the XML
//! response turned into the dict botocore returns (and the AWS CLI caches), service
//! errors as `Error::Client`, parameter validation as botocore's `ParamValidationError`.

use serde_json::{Map, Value};

use crate::aws::endpoint::Endpoint;
use crate::aws::http::{self, Request, Response, RetryPolicy};
use crate::aws::sigv4::{self, Credentials};
use crate::aws::xml::{self, Element};
use crate::error::{Error, ResponseBody};
use crate::time::Timestamp;
use crate::time::UtcTime;
use pystd::url::quote;

/// One STS client: where it sends, how it signs (`None`: unsigned, as botocore's web
/// identity client and `--no-sign-request`), its retry settings.
pub struct Sts<'a> {
    pub http: &'a http::Client,
    pub retry: RetryPolicy,
    pub endpoint: &'a Endpoint,
    pub signer: Option<&'a Credentials>,
}

/// A request parameter, with the minimum botocore's validator checks (strings: length,
/// integers: value; the STS model's maxima and patterns are not validated client-side).
pub enum Param<'a> {
    Str(&'a str, usize),
    Int(i64, i64),
}

/// What an STS call returned: the response dict (shape order, `Expiration` in ISO
/// format, `AccountId` added from the role ARN, `ResponseMetadata`), as the CLI caches it.
pub struct StsResponse {
    pub dict: Map<String, Value>,
}

impl StsResponse {
    /// `response['Credentials'][key]` (KeyError texts as Python prints them).
    pub fn credential(&self, key: &str) -> Result<String, Error> {
        let creds = self
            .dict
            .get("Credentials")
            .and_then(Value::as_object)
            .ok_or_else(|| key_error("Credentials"))?;
        creds
            .get(key)
            .and_then(Value::as_str)
            .map(String::from)
            .ok_or_else(|| key_error(key))
    }

    /// The keys, in botocore's order of access (`AccessKeyId`, `SecretAccessKey`,
    /// `SessionToken`).
    pub fn credentials(&self) -> Result<Credentials, Error> {
        Ok(Credentials {
            access_key_id: self.credential("AccessKeyId")?,
            secret_access_key: self.credential("SecretAccessKey")?.into(),
            session_token: Some(self.credential("SessionToken")?.into()),
            unusable: None,
        })
    }
}

/// Python's `str(KeyError(key))`.
pub fn key_error(key: &str) -> Error {
    Error::General(pystd::repr::str_repr(key))
}

/// Members of the response shapes, in the model's order (what botocore's parser keeps).
const ASSUME_ROLE_MEMBERS: &[&str] = &[
    "Credentials",
    "AssumedRoleUser",
    "PackedPolicySize",
    "SourceIdentity",
];
const GET_CALLER_IDENTITY_MEMBERS: &[&str] = &["UserId", "Account", "Arn"];
const WEB_IDENTITY_MEMBERS: &[&str] = &[
    "Credentials",
    "SubjectFromWebIdentityToken",
    "AssumedRoleUser",
    "PackedPolicySize",
    "Provider",
    "Audience",
    "SourceIdentity",
];

impl Sts<'_> {
    /// Call `action` (`AssumeRole`, `AssumeRoleWithWebIdentity` or `GetCallerIdentity`)
    /// with `params` in botocore's order.
    pub fn call(&self, action: &str, params: &[(&str, Param)]) -> Result<StsResponse, Error> {
        validate(params)?;
        let mut body = format!("Action={action}&Version=2011-06-15");
        for (name, value) in params {
            let value = match value {
                Param::Str(s, _) => quote(s, ""),
                Param::Int(n, _) => n.to_string(),
            };
            body.push_str(&format!("&{name}={value}"));
        }
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let mut headers = vec![("Content-Type".to_string(), content_type.to_string())];
        let query = self.endpoint.canonical_query();
        if let Some(creds) = self.signer {
            self.endpoint.check_signable()?;
            creds.check_usable()?;
            let request = sigv4::Request {
                method: "POST",
                host: &self.endpoint.host,
                path: &self.endpoint.path,
                query: &query,
                headers: &[("Content-Type", content_type)],
                body: body.as_bytes(),
            };
            let scope = sigv4::Scope {
                region: &self.endpoint.signing_region,
                service: "sts",
                now: UtcTime::now(),
            };
            headers.extend(sigv4::sign(creds, &request, &scope));
        }
        let req = Request {
            method: "POST",
            url: self.endpoint.bare_url.clone(),
            headers,
            body: body.into_bytes(),
        };
        let outcome = http::send_with_retries(self.http, self.retry, &req, true, &|r| {
            Ok(error_dict(r)?
                .get("Code")
                .and_then(Value::as_str)
                .map(String::from))
        })?;
        let response = outcome
            .result
            .map_err(|e| Error::General(e.message(&req.url)))?;
        let max_retries = outcome.max_attempts_reached.then_some(outcome.retries);
        read_response(action, response, outcome.retries, max_retries)
    }
}

/// The answer to `action`, as botocore parses it: an error response is `Error::Client`
/// (`max_retries`: its retry note), a result the response dict; a body expat rejects is
/// the CLI's "Unable to parse response" error.
pub fn read_response(
    action: &str,
    response: Response,
    retries: u32,
    max_retries: Option<u32>,
) -> Result<StsResponse, Error> {
    if response.status >= 300 {
        return Err(Error::Client {
            operation: action.to_string(),
            error: error_dict(&response)?,
            max_retries,
        });
    }
    let members = match action {
        "AssumeRole" => ASSUME_ROLE_MEMBERS,
        "GetCallerIdentity" => GET_CALLER_IDENTITY_MEMBERS,
        _ => WEB_IDENTITY_MEMBERS,
    };
    // The body moves into the error: a large one is not held twice.
    let root = match parse_xml(&response.body) {
        Ok(root) => root,
        Err(u) => return Err(u.with_body(response.body)),
    };
    let mut dict = parse_result(root, &format!("{action}Result"), members)?;
    add_account_id(&mut dict);
    dict.insert(
        "ResponseMetadata".into(),
        response_metadata(root, &response, retries),
    );
    Ok(StsResponse { dict })
}

/// botocore's `ParamValidator`: every failure, in parameter order, in one error.
pub fn validate(params: &[(&str, Param)]) -> Result<(), Error> {
    let report: Vec<String> = params
        .iter()
        .filter_map(|(name, p)| match p {
            Param::Str(s, min) if s.chars().count() < *min => Some(format!(
                "Invalid length for parameter {name}, value: {}, valid min length: {min}",
                s.chars().count()
            )),
            Param::Int(n, min) if n < min => Some(format!(
                "Invalid value for parameter {name}, value: {n}, valid min value: {min}"
            )),
            _ => None,
        })
        .collect();
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::ParamValidation(format!(
            "Parameter validation failed:\n{}",
            report.join("\n")
        )))
    }
}

/// A body expat rejects, with expat's text: botocore's `ResponseParserError` once the
/// body is attached (`with_body`).
struct Unparsable(String);

impl Unparsable {
    /// The error the CLI prints: it echoes the body (its secrets redacted: no secret may
    /// reach an error message; see `Error::UnparsableResponse`).
    fn with_body(self, body: Vec<u8>) -> Error {
        Error::UnparsableResponse {
            reason: self.0,
            body: ResponseBody(body),
        }
    }
}

fn parse_xml(body: &[u8]) -> Result<Element<'_>, Unparsable> {
    xml::parse(body).map_err(Unparsable)
}

/// The `Error` member of an error response (botocore's query error parser, or its
/// generic one for a 5xx with an empty or HTML body), reduced to the modeled fields
/// (`Code`, `Message`) the CLI shows.
fn error_dict(r: &Response) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    let trimmed = r.body.trim_ascii();
    if r.status >= 500 && (trimmed.is_empty() || trimmed.starts_with(b"<html>")) {
        out.insert("Code".into(), r.status.to_string().into());
        out.insert(
            "Message".into(),
            pystd::http::reason(r.status).unwrap_or_default().into(),
        );
        return Ok(out);
    }
    let root = parse_xml(&r.body).map_err(|u| u.with_body(r.body.clone()))?;
    let error = root
        .child("Error")
        .or_else(|| root.child("Errors").and_then(|e| e.child("Error")));
    if let Some(error) = error {
        for field in error.children() {
            let name = field.name();
            if name == "Code" || name == "Message" {
                // An empty element is Python's `None` (ElementTree's text).
                let text = Some(field.text()).filter(|t| !t.is_empty());
                out.insert(name, text.into());
            }
        }
    }
    Ok(out)
}

/// The result wrapper's members, parsed as botocore's shapes say.
fn parse_result(
    root: Element,
    wrapper: &str,
    members: &[&str],
) -> Result<Map<String, Value>, Error> {
    let result = root.child(wrapper).ok_or_else(|| key_error(wrapper))?;
    let mut dict = Map::new();
    for member in members {
        let Some(node) = result.child(member) else {
            continue;
        };
        let value = match *member {
            "Credentials" => structure(
                node,
                &[
                    "AccessKeyId",
                    "SecretAccessKey",
                    "SessionToken",
                    "Expiration",
                ],
            )?,
            "AssumedRoleUser" => structure(node, &["AssumedRoleId", "Arn"])?,
            "PackedPolicySize" => Value::from(pystd::number::int_i64(&node.text())?),
            _ => Value::from(node.text()),
        };
        dict.insert(member.to_string(), value);
    }
    Ok(dict)
}

fn structure(node: Element, members: &[&str]) -> Result<Value, Error> {
    let mut out = Map::new();
    for member in members {
        if let Some(child) = node.child(member) {
            let value = if *member == "Expiration" {
                parse_timestamp(&child.text())?.isoformat()
            } else {
                child.text()
            };
            out.insert(member.to_string(), value.into());
        }
    }
    Ok(Value::Object(out))
}

/// botocore's `parse_timestamp`: epoch seconds or a date string.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, Error> {
    if let Ok(epoch) = text.trim().parse::<f64>() {
        if let Some(t) = Timestamp::from_millis(epoch * 1000.0) {
            return Ok(t);
        }
    }
    Timestamp::parse(text)
        .map_err(|e| Error::General(format!("Invalid timestamp \"{text}\": {}", e.0)))
}

/// botocore's `_add_account_id_to_response`: the account of the assumed role's ARN.
fn add_account_id(dict: &mut Map<String, Value>) {
    let arn = dict
        .get("AssumedRoleUser")
        .and_then(|u| u.get("Arn"))
        .and_then(Value::as_str);
    let Some(account) = arn
        .filter(|a| a.starts_with("arn:") && a.splitn(6, ':').count() == 6)
        .and_then(|a| a.split(':').nth(4))
        .map(String::from)
    else {
        return;
    };
    if let Some(Value::Object(creds)) = dict.get_mut("Credentials") {
        creds.insert("AccountId".into(), account.into());
    }
}

fn response_metadata(root: Element, r: &Response, retries: u32) -> Value {
    let mut meta = Map::new();
    if let Some(m) = root.child("ResponseMetadata") {
        for field in m.children() {
            meta.insert(field.name(), field.text().into());
        }
    }
    meta.insert("HTTPStatusCode".into(), r.status.into());
    let mut headers = Map::new();
    for (k, v) in &r.headers {
        let joined = match headers.get(k).and_then(Value::as_str) {
            Some(prev) => format!("{prev}, {v}"),
            None => v.clone(),
        };
        headers.insert(k.clone(), joined.into());
    }
    meta.insert("HTTPHeaders".into(), Value::Object(headers));
    meta.insert("RetryAttempts".into(), retries.into());
    Value::Object(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// What the CLI prints for an unparsable body (the error as `run` writes it).
    fn parse_error_text(body: &[u8]) -> String {
        let e = error_dict(&Response {
            status: 500,
            headers: vec![],
            body: body.to_vec(),
        })
        .unwrap_err();
        assert_eq!(e.exit_code(), 255);
        e.render(None, &|_, _| Err(String::new()))
    }

    #[test]
    fn error_responses() {
        let r = response(403, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>x</RequestId></ErrorResponse>");
        let d = error_dict(&r).unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"Code":"AccessDenied","Message":"no"}"#
        );
        let d = error_dict(&response(503, "  ")).unwrap();
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"Code":"503","Message":"Service Unavailable"}"#
        );
        let d = error_dict(&response(502, "<html><body>bad</body></html>")).unwrap();
        assert_eq!(d["Code"], "502");
        assert_eq!(
            parse_error_text(b"this is not xml"),
            "\naws: [ERROR]: Unable to parse response (syntax error: line 1, column 0), invalid XML received. Further retries may succeed:\nb'this is not xml'\n"
        );
    }

    #[test]
    fn result_dict_in_shape_order() {
        let r = response(200, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Audience>aud</Audience><Credentials><SessionToken>t</SessionToken><AccessKeyId>A</AccessKeyId><SecretAccessKey>s</SecretAccessKey><Expiration>2024-01-02T04:04:05Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>id</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>");
        let root = xml::parse(&r.body).unwrap();
        let mut d = parse_result(
            root,
            "AssumeRoleWithWebIdentityResult",
            WEB_IDENTITY_MEMBERS,
        )
        .unwrap();
        add_account_id(&mut d);
        d.insert("ResponseMetadata".into(), response_metadata(root, &r, 0));
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"Credentials":{"AccessKeyId":"A","SecretAccessKey":"s","SessionToken":"t","Expiration":"2024-01-02T04:04:05+00:00","AccountId":"123456789012"},"AssumedRoleUser":{"AssumedRoleId":"id","Arn":"arn:aws:sts::123456789012:assumed-role/r/s"},"Audience":"aud","ResponseMetadata":{"RequestId":"r-1","HTTPStatusCode":200,"HTTPHeaders":{"content-type":"text/xml"},"RetryAttempts":0}}"#
        );
        let resp = StsResponse { dict: d };
        assert_eq!(resp.credentials().unwrap().access_key_id, "A");
        assert_eq!(
            parse_result(
                xml::parse(b"<a/>").unwrap(),
                "AssumeRoleResult",
                ASSUME_ROLE_MEMBERS
            )
            .err(),
            Some(Error::General("'AssumeRoleResult'".into()))
        );
    }

    #[test]
    fn validation_report() {
        assert_eq!(
            validate(&[
                ("RoleSessionName", Param::Str("a", 2)),
                ("DurationSeconds", Param::Int(100, 900)),
                ("RoleArn", Param::Str("arn:aws:iam::1:r", 20)),
            ]),
            Err(Error::ParamValidation("Parameter validation failed:\nInvalid length for parameter RoleSessionName, value: 1, valid min length: 2\nInvalid value for parameter DurationSeconds, value: 100, valid min value: 900\nInvalid length for parameter RoleArn, value: 16, valid min length: 20".into()))
        );
    }

    #[test]
    fn secrets_are_masked_in_parse_errors() {
        let body = b"<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>topsecret</SecretAccessKey><SessionToken>tok";
        let msg = parse_error_text(body);
        assert!(!msg.contains("topsecret") && !msg.contains("tok'"), "{msg}");
        assert!(
            msg.ends_with(
                "<SecretAccessKey>(redacted)</SecretAccessKey><SessionToken>(redacted)'\n"
            ),
            "{msg}"
        );
    }

    /// Secrets in CDATA (even one holding the closing tag), in tags with attributes,
    /// whitespace or a namespace prefix, and in secret-named attributes never reach the
    /// error message.
    #[test]
    fn secrets_are_masked_in_every_spelling() {
        let body = b"<AssumeRoleResponse><AssumeRoleResult><Credentials><SessionToken><![CDATA[abc</SessionToken>SECRET1]]></SessionToken><SecretAccessKey a=\"1\">SECRET2</SecretAccessKey><x:SecretAccessKey xmlns:x=\"u\">SECRET3</x:SecretAccessKey><SecretAccessKey\n>SECRET4</SecretAccessKey\n><Credentials SessionToken=\"SECRET5\" x='1'/><SessionToken><!-- </SessionToken> -->SECRET6</SessionToken><SessionToken><SessionToken>in</SessionToken>SECRET7</SessionToken></Credentials></AssumeRoleResult>";
        let msg = parse_error_text(body);
        assert!(!msg.contains("SECRET"), "{msg}");
        assert!(
            msg.contains("<SecretAccessKey a=\"1\">(redacted)</SecretAccessKey>"),
            "{msg}"
        );
        assert!(
            msg.contains(r#"<Credentials SessionToken="(redacted)" x=\'1\'/>"#),
            "{msg}"
        );
    }

    /// The echo is Python's `repr(bytes)` of the redacted body, quote choice included,
    /// written in pieces however long the body is.
    #[test]
    fn python_bytes_repr_in_pieces() {
        use pystd::repr::bytes_repr;
        for body in [
            &b"<a>'b\n\xff\\"[..],
            b"<a>x\"'",
            b"<a><SessionToken>'\"</SessionToken>'",
        ] {
            let expected = bytes_repr(&crate::log::redact_xml(body));
            assert!(parse_error_text(body).ends_with(&format!(":\n{expected}\n")));
        }
        assert!(parse_error_text(b"<a>'b").ends_with(
            r#"b"<a>'b"
"#
        ));
        // Longer than the pieces it is written in: 4 bytes of repr per byte.
        let long: Vec<u8> = [&b"<a>'"[..], &[0xff; 100_000]].concat();
        let text = parse_error_text(&long);
        assert!(text.ends_with(&format!(":\n{}\n", bytes_repr(&long))));
        assert_eq!(text.matches("\\xff").count(), 100_000);
    }
}
