"""The labelled corpus of template inference: notification titles with the template
their sender wrote, by hand, one JSON object a line in benchmarks/inference/corpus.jsonl.

    python -m benchmarks.inference.corpus            # rewrites corpus.jsonl (deterministic)

Each template below is written by hand: its domain, the sender's title format with `<slot>`s,
the expected template (placeholders as the tool writes them: typed `{n}`, `{id}`, `{q}`...
where the value is typed, `{*}` where a word varies), the body format, the severity, the
metadata keys (`key?` is present in about half of the notifications), the CTA labels and how
many notifications to draw. The values come from the hand-written lists below, drawn with a
fixed seed, so the file is the same on every run and the expected template of every title is
the one written next to its format.

What makes it hard: enum slots with two or three values (roles, plans, environments, card
brands), person names and company names that are English words (Will, Grace, Target,
Square), a workspace renamed only twice, amounts in several currencies, month-name dates,
quoted values, ids, and near-miss pairs of distinct templates that differ in one word
(revoked / rotated, paid / voided, passed / failed, Password / Email...). Two templates are
beyond the rule on purpose, as real senders write them: a customer name of one to three
words in one slot (`Contract signed with {*}`), and a state of two event words with the
same evidence (`Pull request #{n} {*}`, merged / closed).
"""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).with_name("corpus.jsonl")
SEED = 17

FIRST = [
    "Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Will", "Hope", "June",
    "Mark", "Bill", "Rose", "Summer", "Chase", "Hunter", "Faith", "Dawn", "Ray", "Max",
    "Sky", "Jack", "Joy", "Art", "Pat", "Rich", "Ada", "Linus", "Priya", "Kenji",
    "Amara", "Mateo", "Olga", "Tariq", "Ines", "Noor",
]  # fmt: skip
LAST = [
    "Chen", "Smith", "Baker", "Cook", "King", "Young", "Wood", "Stone", "Hill", "Bell",
    "Rivers", "Park", "Nguyen", "Okafor", "Garcia", "Kowalski", "Haddad", "Ito", "Moreau",
    "Fischer", "Brown", "Green", "Little", "Long", "Small", "Sharp", "Snow", "Frost",
]  # fmt: skip
COMPANY = [
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Soylent", "Tyrell",
    "Cyberdyne", "Wonka", "Gringotts", "Target", "Square", "Notion", "Monzo", "Figma",
    "Stark", "Wayne", "Oscorp", "Aperture", "Massive", "Dynamic", "Pinnacle", "Summit",
]  # fmt: skip
ROLE = ["admin", "owner", "billing"]  # three values only
ROLE6 = ["admin", "owner", "billing", "member", "viewer", "editor"]
PLAN = ["Pro", "Team", "Enterprise"]
PLAN2 = ["Starter", "Growth"]  # two values only
CARD = ["Visa", "Mastercard", "Amex"]
CURRENCY = ["USD", "EUR", "GBP", "CAD", "CHF"]
SYMBOL = ["$", "€", "£"]
MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_LONG = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
BROWSER = ["Chrome", "Firefox", "Safari", "Edge", "Opera", "Brave"]
DEVICE = ["Windows", "macOS", "Linux", "iPhone", "Android", "iPad", "ChromeOS"]
CITY = ["Berlin", "Lagos", "Paris", "Tokyo", "Lima", "Austin", "Reading", "Nice", "Bath", "Split"]
COUNTRY = ["Germany", "Nigeria", "France", "Japan", "Peru", "USA", "UK", "Croatia"]
SERVICE = ["GitHub", "Slack", "Jira", "Salesforce", "Zendesk", "Stripe", "Linear"]
IDP = ["Okta", "Entra", "Google", "OneLogin"]
TEAM = ["Design", "Growth", "Platform", "Support", "Data", "Mobile", "Sales", "Security"]
WS_NAME = ["Atlas", "Beacon"]  # the workspace is renamed twice in the whole corpus
DOC = [
    "“Q3 roadmap”", "“Launch plan”", "“Hiring rubric”", "“Pricing FAQ”", "“Onboarding”",
    "“Incident review”", "“Brand guide”", "“API design”",
]  # fmt: skip
PROJECT = ['"Apollo"', '"Hermes"', '"Blue sky"', '"Q4 migration"', '"Website"', '"Mobile v2"']
BRANCH = ["main", "develop", "staging", "feature/login", "fix/typo", "release"]
ENV = ["production", "staging"]  # two values only
REPO = ["api", "web", "mobile", "infra", "docs"]
STEP = ["test", "lint", "build", "deploy", "migrate"]
HOST = ["db-primary", "cache", "web", "worker", "queue", "search", "ingest"]
DB = ["orders", "users", "analytics", "billing"]
INC_SERVICE = ["checkout", "search", "login", "payments", "api", "notifications"]
DOMAIN = ["app.acme.io", "api.globex.com", "status.hooli.dev", "shop.wonka.co", "id.stark.net"]
REGION = ["us-east-1", "eu-west-2", "ap-south-1", "us-west-2", "eu-central-1"]
PRODUCT = ["Widget", "Gizmo", "Sprocket", "Doohickey", "Gadget", "Nimbus", "Flux", "Orbit"]
STORE = ["Berlin", "Online", "Austin", "Tokyo"]
COUPON = ["SPRING24", "WELCOME10", "VIP50", "BLACKFRIDAY30", "SUMMER15", "LOYAL5"]
TICKET_STATUS = ["resolved", "closed", "reopened", "escalated", "assigned"]
ERROR = ["timeout", "permission denied", "rate limited", "invalid token", "disk full"]
AUTOMATION = ['"Sync CRM"', '"Nightly export"', '"Welcome email"', '"Close stale deals"']
# names of one to three words in one slot: the title's token count varies within one template
COMPANY_LONG = [
    "Acme Corp", "Globex", "Blue Sky Labs", "Initech", "Wayne Enterprises", "Stark Industries",
    "Hooli", "Pied Piper", "Dunder Mifflin Paper",
]  # fmt: skip
PR_STATE = ["merged", "closed"]  # one variable of two event words: evidence cannot tell
FILE = ["report.pdf", "budget.xlsx", "notes.md", "logo.png", "contract.docx"]


_WS_NAMES = itertools.cycle(WS_NAME)


def _hexid(r: random.Random, n: int) -> str:
    # a short sha with both a digit and a letter, as `git log --oneline` nearly always prints
    while True:
        s = "".join(r.choice("0123456789abcdef") for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


def _amount(r: random.Random) -> str:
    return f"{r.randint(5, 9999):,}.{r.randint(0, 99):02d}"


SLOTS: dict[str, Callable[[random.Random], str]] = {
    "person": lambda r: f"{r.choice(FIRST)} {r.choice(LAST)}",
    "person2": lambda r: f"{r.choice(FIRST)} {r.choice(LAST)}",
    "first": lambda r: r.choice(FIRST),
    "company": lambda r: r.choice(COMPANY),
    "role": lambda r: r.choice(ROLE),
    "role6": lambda r: r.choice(ROLE6),
    "plan": lambda r: r.choice(PLAN),
    "plan_old": lambda r: r.choice(PLAN),
    "plan2": lambda r: r.choice(PLAN2),
    "card": lambda r: r.choice(CARD),
    "last4": lambda r: f"{r.randint(0, 9999):04d}",
    "n": lambda r: str(r.randint(1, 99999)),
    "n2": lambda r: str(r.randint(2, 30)),
    "stars": lambda r: str(r.randint(1, 5)),
    "percent": lambda r: f"{r.randint(70, 99)}%",
    "usd": lambda r: f"${_amount(r)}",
    "money": lambda r: f"{r.choice(SYMBOL)}{_amount(r)}",
    "money_code": lambda r: f"{_amount(r)} {r.choice(CURRENCY)}",
    "month_day": lambda r: f"{r.choice(MONTH)} {r.randint(1, 28)}",
    "month": lambda r: r.choice(MONTH_LONG),
    "iso_date": lambda r: f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
    "inv": lambda r: f"INV-2026-{r.randint(1, 9999):04d}",
    "key": lambda r: f"key_{_hexid(r, 6)}",
    "order": lambda r: f"ord-{_hexid(r, 5)}",
    "inc": lambda r: f"INC-{r.randint(100, 9999)}",
    "ip": lambda r: (
        f"{r.choice([203, 198, 192, 100])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"
    ),
    "email": lambda r: (
        f"{r.choice(FIRST).lower()}.{r.choice(LAST).lower()}@{r.choice(COMPANY).lower()}.com"
    ),
    "url": lambda r: f"https://{r.choice(COMPANY).lower()}.example.com/hooks/{r.randint(1, 999)}",
    "uuid": lambda r: "-".join(_hexid(r, k) for k in (8, 4, 4, 4, 12)),
    "sha": lambda r: _hexid(r, 7),
    "tracking": lambda r: f"1Z{r.randint(10**9, 10**10 - 1)}",
    "browser": lambda r: r.choice(BROWSER),
    "device": lambda r: r.choice(DEVICE),
    "city": lambda r: r.choice(CITY),
    "country": lambda r: r.choice(COUNTRY),
    "service": lambda r: r.choice(SERVICE),
    "idp": lambda r: r.choice(IDP),
    "team": lambda r: r.choice(TEAM),
    "ws_name": lambda r: next(_WS_NAMES),  # each name once
    "doc": lambda r: r.choice(DOC),
    "project": lambda r: r.choice(PROJECT),
    "branch": lambda r: r.choice(BRANCH),
    "env": lambda r: r.choice(ENV),
    "repo": lambda r: r.choice(REPO),
    "step": lambda r: r.choice(STEP),
    "dur": lambda r: f"{r.randint(1, 19)}m {r.randint(0, 59)}s",
    "host": lambda r: r.choice(HOST),
    "db": lambda r: r.choice(DB),
    "inc_service": lambda r: r.choice(INC_SERVICE),
    "domain": lambda r: r.choice(DOMAIN),
    "region": lambda r: r.choice(REGION),
    "product": lambda r: r.choice(PRODUCT),
    "store": lambda r: r.choice(STORE),
    "coupon": lambda r: r.choice(COUPON),
    "ticket_status": lambda r: r.choice(TICKET_STATUS),
    "error": lambda r: r.choice(ERROR),
    "automation": lambda r: r.choice(AUTOMATION),
    "file": lambda r: r.choice(FILE),
    "company_long": lambda r: r.choice(COMPANY_LONG),
    "pr_state": lambda r: r.choice(PR_STATE),
}


@dataclass(frozen=True)
class Template:
    domain: str
    title: str  # the sender's format, `<slot>` for a value
    expected: str  # the template the tool should infer, written by hand
    body: str
    severity: str
    keys: str  # metadata keys, comma separated; `key?` is optional
    ctas: tuple[str, ...]
    n: int  # notifications drawn


T = Template
# fmt: off
TEMPLATES: tuple[Template, ...] = (
    # --- security -------------------------------------------------------------------------
    T("security", "API key <key> revoked", "API key {id} revoked",
      "The API key <key> was revoked by <person>. Requests signed with it now fail with 401.",
      "warning", "key_id,revoked_by", ("Review API keys",), 38),
    T("security", "API key <key> rotated", "API key {id} rotated",
      "<person> rotated the API key <key>. The previous secret keeps working for <n2> hours.",
      "info", "key_id,rotated_by,grace_hours", ("Review API keys",), 36),
    T("security", "Password changed", "Password changed",
      "Your password was changed from <ip> (<browser> on <device>). If this wasn't you, reset it now.",
      "warning", "user_id,ip", ("Secure account",), 30),
    T("security", "Email changed", "Email changed",
      "Your sign-in email is now <email>. We sent a confirmation link to the old address.",
      "warning", "user_id,ip", ("Secure account",), 24),
    T("security", "Unknown sign-in from <ip>", "Unknown sign-in from {ip}",
      "Someone signed in to your account from <city>, <country> using <browser>.",
      "warning", "ip,city?,country", ("This was me", "Secure account"), 48),
    T("security", "New sign-in from <browser> on <device>", "New sign-in from {*} on {*}",
      "<browser> on <device> signed in to <company> from <city>.",
      "info", "browser,device,city", ("Review devices",), 48),
    T("security", "MFA enabled", "MFA enabled",
      "Two-factor authentication is now on for your account. Keep your recovery codes safe.",
      "success", "user_id,method", ("View recovery codes",), 24),
    T("security", "MFA disabled", "MFA disabled",
      "Two-factor authentication was turned off by <person>. Your account is less protected.",
      "warning", "user_id,disabled_by", ("Turn on MFA",), 24),
    T("security", "<n> failed sign-in attempts for <email>", "{n} failed sign-in attempts for {email}",
      "We blocked sign-ins to <email> from <ip> for <n2> minutes.",
      "error", "email,attempts,ip", ("Secure account",), 36),
    T("security", "Session expired on <device>", "Session expired on {*}",
      "Your session on <device> ended after <n2> days of inactivity. Sign in again to continue.",
      "info", "device,session_id", ("Sign in",), 30),
    T("security", "Recovery codes regenerated", "Recovery codes regenerated",
      "<person> generated a new set of recovery codes. Old codes no longer work.",
      "info", "user_id", ("View recovery codes",), 3),
    T("security", "SSO enforced for <company>", "SSO enforced for {*}",
      "Members of <company> must now sign in through <idp>.",
      "info", "org_id,idp", ("View SSO settings",), 24),
    T("security", "Access token for <service> expires in <n2> days",
      "Access token for {*} expires in {n} days",
      "The <service> token used by <company> stops working on <month_day>. Renew it before then.",
      "warning", "service,token_id,expires_at", ("Renew token",), 36),
    T("security", "IP allowlist updated by <person>", "IP allowlist updated by {*} {*}",
      "<person> changed the IP allowlist of <company>: <n2> ranges are now allowed.",
      "info", "org_id,updated_by,ranges", ("View allowlist",), 30),
    # --- billing --------------------------------------------------------------------------
    T("billing", "Invoice <inv> paid", "Invoice {id} paid",
      "Thanks! We received <usd> for invoice <inv> on <month_day>.",
      "success", "invoice_id,amount,currency", ("Download receipt",), 42),
    T("billing", "Invoice <inv> voided", "Invoice {id} voided",
      "Invoice <inv> was cancelled by <person>; nothing is due.",
      "info", "invoice_id,voided_by", ("View invoice",), 30),
    T("billing", "Payment of <money> received from <company>", "Payment of {*} received from {*}",
      "<company> paid <money> by <card> ending in <last4>.",
      "success", "amount,currency,customer,note?", ("View payment",), 48),
    T("billing", "Payment failed for <company>", "Payment failed for {*}",
      "We could not charge <card> ending in <last4> for <usd>. We will retry in <n2> days.",
      "error", "customer,amount,card_last4", ("Update card",), 42),
    T("billing", "Payment succeeded for <company>", "Payment succeeded for {*}",
      "<company> was charged <usd> on <card> ending in <last4>.",
      "success", "customer,amount,card_last4", ("View payment",), 30),
    T("billing", "Subscription upgraded to <plan>", "Subscription upgraded to {*}",
      "<company> moved from <plan_old> to <plan>. The new price applies from the next cycle.",
      "success", "plan,previous_plan,org_id", ("View plan",), 36),
    T("billing", "Subscription downgraded to <plan>", "Subscription downgraded to {*}",
      "<company> will switch to <plan> at the end of the billing period; <n2> seats will be removed.",
      "warning", "plan,previous_plan,org_id,effective_at", ("View plan",), 30),
    T("billing", "Trial ends in <n2> days", "Trial ends in {n} days",
      "Your <plan> trial for <company> ends on <month_day>. Add a card to keep your data.",
      "warning", "plan,trial_end", ("Add payment method",), 36),
    T("billing", "Card <card> ending in <last4> expires soon", "Card {*} ending in {n} expires soon",
      "The <card> card on file expires at the end of <month>. Update it to avoid failed payments.",
      "warning", "card_brand,card_last4,exp_month", ("Update card",), 30),
    T("billing", "Refund of <money_code> issued", "Refund of {n} {*} issued",
      "We refunded <money_code> to <company>; it shows on the statement in 5-10 days.",
      "info", "refund_id,amount,currency", ("View refund",), 36),
    T("billing", "Refund of <money_code> requested", "Refund of {n} {*} requested",
      "<person> asked for a refund of <money_code> on order <order>. Approve or decline it.",
      "warning", "refund_id,amount,currency,requested_by", ("Approve", "Decline"), 30),
    T("billing", "Usage at <percent> of the <plan2> plan limit", "Usage at {n}% of the {*} plan limit",
      "<company> used <percent> of its monthly quota of <n> events.",
      "warning", "usage_pct,plan,quota", ("Upgrade plan",), 30),
    T("billing", "Contract signed with <company_long>", "Contract signed with {*}",
      "<person> signed the <plan> contract with <company_long>. Billing starts on <month_day>.",
      "success", "contract_id,customer,plan", ("View contract",), 30),
    T("billing", "Tax ID verified for <company>", "Tax ID verified for {*}",
      "The VAT number of <company> was verified with the <country> registry.",
      "success", "org_id,tax_id,country", (), 24),
    # --- collaboration --------------------------------------------------------------------
    T("collaboration", "Role changed to <role> #<n>", "Role changed to {*} #{n}",
      "Your role in <company> was changed to <role> by <person>.",
      "info", "role,workspace_id,changed_by", ("View members",), 54),
    T("collaboration", "<person> invited you to <company>", "{*} {*} invited you to {*}",
      "<person> wants you to join the <company> workspace as <role6>. The invitation expires in 7 days.",
      "info", "inviter,workspace_id,role", ("Accept", "Decline"), 48),
    T("collaboration", "<person> accepted your invite", "{*} {*} accepted your invite",
      "<person> joined <company> as <role6>.",
      "success", "member_id,workspace_id", ("View members",), 42),
    T("collaboration", "<person> declined your invite", "{*} {*} declined your invite",
      "<person> won't join <company>. You can send a new invitation at any time.",
      "info", "member_id,workspace_id", ("Invite again",), 24),
    T("collaboration", "<person> mentioned you in <doc>", "{*} {*} mentioned you in {q}",
      "<person> mentioned you in a comment on <doc>.",
      "info", "doc_id,comment_id,author", ("Reply", "Open document"), 48),
    T("collaboration", "<person> commented on <doc>", "{*} {*} commented on {q}",
      "<person> left a comment on <doc>: please take a look when you can.",
      "info", "doc_id,comment_id,author", ("Open document",), 42),
    T("collaboration", "Project <project> archived", "Project {q} archived",
      "<person> archived <project>. It stays readable for <n2> days.",
      "info", "project_id,archived_by", ("Restore",), 30),
    T("collaboration", "Project <project> restored", "Project {q} restored",
      "<project> is active again; <person> restored it from the archive.",
      "success", "project_id,restored_by", ("Open project",), 24),
    T("collaboration", "You were added to the <team> team", "You were added to the {*} team",
      "<person> added you to <team>. You now see its projects and channels.",
      "info", "team_id,added_by", ("Open team",), 42),
    T("collaboration", "You were removed from the <team> team", "You were removed from the {*} team",
      "<person> removed you from <team>; its projects are no longer visible to you.",
      "warning", "team_id,removed_by", (), 24),
    T("collaboration", "Workspace renamed to <ws_name>", "Workspace renamed to {*}",
      "<person> renamed the workspace to <ws_name>.",
      "info", "workspace_id,renamed_by,new_name", (), 2),
    T("collaboration", "Ownership of <project> transferred to <person>",
      "Ownership of {q} transferred to {*} {*}",
      "<person2> transferred <project> to <person>. They can now delete or archive it.",
      "info", "project_id,new_owner,previous_owner", ("Open project",), 30),
    T("collaboration", "<first> shared a file with you", "{*} shared a file with you",
      "<first> shared <file> with you in <company>.",
      "info", "file_id,shared_by", ("Open file",), 42),
    T("collaboration", "Your access request was approved", "Your access request was approved",
      "<person> approved your request; you can open <project> now.",
      "success", "request_id,project_id,approved_by", ("Open project",), 24),
    T("collaboration", "Your access request was denied", "Your access request was denied",
      "<person> did not grant access to <project>. Ask an owner if you still need it.",
      "warning", "request_id,project_id,denied_by", (), 24),
    # --- operations -----------------------------------------------------------------------
    T("operations", "Build passed on <branch>", "Build passed on {*}",
      "Pipeline #<n> for <repo> passed in <dur>.",
      "success", "pipeline_id,repo,branch,duration_s", ("View build",), 42),
    T("operations", "Build failed on <branch>", "Build failed on {*}",
      "Pipeline #<n> for <repo> failed at step <step>. See the logs for details.",
      "error", "pipeline_id,repo,branch,failed_step", ("View build", "Retry"), 42),
    T("operations", "Deploy started on <env>", "Deploy started on {*}",
      "<person> started deploying <sha> of <repo> to <env>.",
      "info", "deploy_id,env,sha", ("View deploy",), 30),
    T("operations", "Deploy finished on <env>", "Deploy finished on {*}",
      "Version <sha> of <repo> is live on <env> after <dur>.",
      "success", "deploy_id,env,sha,duration_s", ("View deploy",), 30),
    T("operations", "Webhook endpoint <url> disabled", "Webhook endpoint {url} disabled",
      "After <n2> consecutive failures we stopped sending events to <url>.",
      "error", "endpoint_id,url,failures", ("Fix endpoint",), 36),
    T("operations", "Webhook endpoint <url> enabled", "Webhook endpoint {url} enabled",
      "Events are flowing to <url> again; <person> turned it back on.",
      "success", "endpoint_id,url,enabled_by", ("View endpoint",), 18),
    T("operations", "Automation <automation> failed", "Automation {q} failed",
      "The automation <automation> stopped at step <step>: <error>.",
      "error", "automation_id,step,error", ("View run", "Retry"), 36),
    T("operations", "Disk usage at <percent> on <host>", "Disk usage at {n}% on {*}",
      "Volume /data on <host> is <percent> full; it grows by <n2>GB a day.",
      "warning", "host,volume,usage_pct", ("View metrics",), 42),
    T("operations", "Backup completed for <db>", "Backup completed for {*}",
      "Snapshot <uuid> of <db> took <dur> and holds <n> GB.",
      "success", "backup_id,database,size_gb", (), 30),
    T("operations", "Backup failed for <db>", "Backup failed for {*}",
      "The nightly snapshot of <db> did not finish: <error>. The previous backup is <n2> hours old.",
      "error", "backup_id,database,error", ("Retry backup",), 24),
    T("operations", "Incident <inc> opened: <inc_service> degraded", "Incident {id} opened: {*} degraded",
      "<inc_service> error rate is above <percent>. <person> is the incident lead.",
      "error", "incident_id,service,lead", ("Join incident",), 30),
    T("operations", "Incident <inc> resolved", "Incident {id} resolved",
      "<inc_service> is healthy again after <dur>. The review is due on <month_day>.",
      "success", "incident_id,service,duration_s", ("Read timeline",), 24),
    T("operations", "Certificate for <domain> expires in <n2> days",
      "Certificate for {*} expires in {n} days",
      "The TLS certificate of <domain> expires on <iso_date>; automatic renewal failed <n2> times.",
      "warning", "domain,expires_at", ("Renew now",), 30),
    T("operations", "Region <region> is degraded", "Region {*} is degraded",
      "Requests to <region> are slower than usual; we are routing traffic away from it.",
      "warning", "region,status_page", ("View status",), 24),
    T("operations", "Pull request #<n> <pr_state>", "Pull request #{n} {*}",
      "<person> <pr_state> pull request #<n> in <repo>.",
      "info", "pr_number,repo,state", ("View pull request",), 25),
    # --- commerce -------------------------------------------------------------------------
    T("commerce", "Order <order> shipped", "Order {id} shipped",
      "Your <product> left our warehouse in <city>. Tracking number: <tracking>.",
      "info", "order_id,carrier?,tracking", ("Track package",), 42),
    T("commerce", "Order <order> delivered", "Order {id} delivered",
      "<product> was delivered to <city> on <month_day>. Enjoy!",
      "success", "order_id,delivered_at", ("Leave a review",), 36),
    T("commerce", "Order <order> cancelled", "Order {id} cancelled",
      "<person> cancelled the order; <usd> will be refunded to the original payment method.",
      "warning", "order_id,cancelled_by,reason", ("View order",), 24),
    T("commerce", "New order from <person>: <usd>", "New order from {*} {*}: ${n}",
      "<person> ordered <n2> × <product> for <usd>.",
      "success", "order_id,customer,total", ("View order",), 42),
    T("commerce", "<product> is back in stock", "{*} is back in stock",
      "Good news: <product> is available again at <store>.",
      "info", "product_id,sku,store", ("Buy now",), 36),
    T("commerce", "<product> is out of stock", "{*} is out of stock",
      "The last <product> at <store> was sold <n2> minutes ago; restock to keep selling.",
      "warning", "product_id,sku,store,sold_out_at", ("Restock",), 30),
    T("commerce", "Price of <product> dropped to <usd>", "Price of {*} dropped to ${n}",
      "<product> on your wishlist now costs <usd>, down from its usual price.",
      "info", "product_id,price,previous_price", ("Buy now",), 30),
    T("commerce", "Cart reminder sent to <email>", "Cart reminder sent to {email}",
      "We reminded <email> about <n2> items left in the cart at <store>.",
      "info", "cart_id,email,items", (), 30),
    T("commerce", "Review received: <stars> stars for <product>", "Review received: {n} stars for {*}",
      "<person> rated <product> <stars> out of 5.",
      "info", "review_id,product_id,rating", ("Read review",), 36),
    T("commerce", "Coupon <coupon> redeemed by <company>", "Coupon {*} redeemed by {*}",
      "<company> saved <usd> with <coupon> on order <order>.",
      "info", "coupon,customer,discount", ("View order",), 30),
    T("commerce", "Your <month> box has shipped", "Your {*} box has shipped",
      "The <month> box for <company> is on its way; it arrives within <n2> days.",
      "info", "box_id,month,tracking", ("Track package",), 24),
    T("commerce", "Payout of <money_code> scheduled for <month_day>",
      "Payout of {n} {*} scheduled for {*} {n}",
      "<money_code> from <n> orders will reach your bank account ending in <last4>.",
      "info", "payout_id,amount,currency,arrival_date", ("View payout",), 30),
    T("commerce", "Ticket #<n> marked <ticket_status>", "Ticket #{n} marked {*}",
      "<person> marked ticket #<n> as <ticket_status>. The customer was notified.",
      "info", "ticket_id,status,agent", ("Open ticket",), 36),
)
# fmt: on


def _fill(fmt: str, values: dict[str, str]) -> str:
    for slot, value in values.items():
        fmt = fmt.replace(f"<{slot}>", value)
    return fmt


def _metadata(t: Template, r: random.Random, values: dict[str, str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key in t.keys.split(","):
        name = key.rstrip("?")
        if key.endswith("?") and r.random() < 0.5:
            continue
        meta[name] = values.get(name) or f"{name[:3]}_{r.randint(1000, 99999)}"
    return meta


def build(scale: float = 1.0, seed: int = SEED) -> list[dict[str, object]]:
    """Every notification of the corpus, shuffled with the fixed seed (with `scale`, each
    template's count times scale: the speed test's larger inputs)."""
    global _WS_NAMES
    _WS_NAMES = itertools.cycle(WS_NAME)
    r = random.Random(seed)
    rows: list[dict[str, object]] = []
    for t in TEMPLATES:
        slots = sorted({s for s in SLOTS if f"<{s}>" in t.title + t.body})
        for _ in range(max(1, round(t.n * scale))):
            values = {s: SLOTS[s](r) for s in slots}
            rows.append(
                {
                    "domain": t.domain,
                    "expected": t.expected,
                    "title": _fill(t.title, values),
                    "body": _fill(t.body, values),
                    "severity": t.severity,
                    "metadata": _metadata(t, r, values),
                    "ctas": list(t.ctas),
                }
            )
    r.shuffle(rows)
    return rows


def write(path: Path = CORPUS) -> int:
    rows = build()
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    return len(rows)


def load(path: Path = CORPUS) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


if __name__ == "__main__":
    n = write()
    print(f"{CORPUS}: {n} notifications, {len(TEMPLATES)} templates")
