"""A tablet's HTTP side for real-server tests: cookies, the CSRF token, JSON posts."""

import http.cookiejar
import json
import urllib.error
import urllib.request


class KioskHttp:
    def __init__(self, base_url: str, credential: str):
        self.base = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.credential = credential
        self.csrf = ""

    def _headers(self) -> dict:
        cookies = [f"pb_live_device={self.credential}"]
        cookies += [f"{c.name}={c.value}" for c in self.jar if c.name != "pb_live_device"]
        return {"Cookie": "; ".join(cookies)}

    def open_kiosk(self) -> str:
        request = urllib.request.Request(  # noqa: S310 - a loopback test server
            self.base + "/budgeting/live/kiosk/", headers=self._headers()
        )
        with self.opener.open(request, timeout=10) as response:
            page = response.read().decode()
        self.csrf = next(c.value for c in self.jar if c.name == "csrftoken")
        return page

    def post(self, path: str, data: dict) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - a loopback test server
            self.base + path,
            data=json.dumps(data).encode(),
            method="POST",
            headers=self._headers()
            | {"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
