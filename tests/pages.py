"""The portal pages the accessibility and HTML checks visit, under a language prefix."""

PORTAL_PAGES = [
    "/",
    "/agreements/",
    "/agreements/?q=madrid",
    "/agreements/?signed_from=2030-01-01&signed_to=2020-01-01&area=nowhere",
    "/agreements/nitec-madrid-digital-cooperation-2025/",
    "/milestones/",
    "/milestones/?due_within=abc",
    "/areas/",
    "/areas/govtech/",
    "/agencies/",
    "/agencies/madrid-ministry-of-digitalization/",
    "/search/?q=madrid",
    "/search/?q=",
    "/open-data/",
    "/accounts/login/",
    "/unsubscribe/forged-token/",
    "/no-such-page/",
]
# Signed-in staff's own pages (the public is sent to the login page).
STAFF_PAGES = [
    "/my/agreements/",
    "/my/reminders/",
    "/my/api-keys/",
]
