"""A fake STS, SSO portal and EKS on 127.0.0.1 for the benchmark (scripts/bench).

Answers AssumeRole / AssumeRoleWithWebIdentity (form POST, any path) with credentials
valid for an hour, GetCallerIdentity, SSO GetRoleCredentials (GET
/federation/credentials) with credentials valid for an hour, and EKS DescribeCluster
(GET /clusters/NAME) with an active cluster.
Prints the port on stdout, then serves until killed. Never contacts anything else.
"""
import datetime
import http.server
import json
import sys
import time
import urllib.parse

ASSUME_ROLE = """<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>\
<Credentials><AccessKeyId>ASIABENCH</AccessKeyId><SecretAccessKey>benchsecret</SecretAccessKey>\
<SessionToken>benchtoken</SessionToken><Expiration>{expiration}</Expiration></Credentials>\
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/bench/session</Arn>\
<AssumedRoleId>AROABENCH:session</AssumedRoleId></AssumedRoleUser></{action}Result>\
<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></{action}Response>"""

CALLER_IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDABENCH</UserId>\
<Account>123456789012</Account></GetCallerIdentityResult>\
<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></GetCallerIdentityResponse>"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, content_type, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        action = form.get("Action", [""])[0]
        expiration = (datetime.datetime.now(datetime.timezone.utc)
                      + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if action in ("AssumeRole", "AssumeRoleWithWebIdentity"):
            self.reply(200, "text/xml", ASSUME_ROLE.format(action=action, expiration=expiration))
        elif action == "GetCallerIdentity":
            self.reply(200, "text/xml", CALLER_IDENTITY)
        else:
            self.reply(400, "text/xml", "<ErrorResponse/>")

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/clusters/"):
            name = path[len("/clusters/"):]
            arn = f"arn:aws:eks:us-west-2:123456789012:cluster/{name}"
            self.reply(200, "application/json", json.dumps({"cluster": {
                "name": name, "arn": arn, "status": "ACTIVE",
                "endpoint": "https://ABCDEF.gr7.us-west-2.eks.amazonaws.com",
                "certificateAuthority": {"data": "LS0tLS1CRUdJTi=="}}}))
        elif path == "/federation/credentials":
            expiration = int((time.time() + 3600) * 1000)
            self.reply(200, "application/json", json.dumps({"roleCredentials": {
                "accessKeyId": "ASIABENCHSSO", "secretAccessKey": "benchssosecret",
                "sessionToken": "benchssotoken", "expiration": expiration}}))
        else:
            self.reply(404, "text/plain", "")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
