"""A middleware a project might add to MIDDLEWARE: it marks each response with the thread it
ran in (the live fast path's tests: tests/live_voting/test_fastpath.py,
tests/motions/test_fastpath.py)."""

import threading


class Stamp:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Stamped-In"] = threading.current_thread().name
        return response
