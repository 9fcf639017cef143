# Runs the e2e suite of a kubernetes-client/python checkout (kubernetes/e2e_test) with the
# python3-kubernetes installed on this machine (Debian's, at /usr/bin/python3), one JSON line per
# test on stdout: {"id", "outcome": pass|fail|error|skip, "seconds", "message"}. The suite's own
# output (its prints, tracebacks) goes to stderr. scripts/python-e2e.ts starts the cluster, points
# KUBECONFIG at it, runs this from the checkout's root (the suite opens its YAML files relative to
# it) and prints the table.
#
#   /usr/bin/python3 scripts/python-e2e.py CHECKOUT [TIMEOUT_SECONDS] [MODULE.Class.test ...]
import importlib
import io
import json
import os
import signal
import sys
import time
import traceback
import unittest

checkout = os.path.abspath(sys.argv[1])
per_test_timeout = int(sys.argv[2]) if len(sys.argv) > 2 else 180
only = set(sys.argv[3:])

# The installed client is the one under test; only kubernetes.e2e_test comes from the checkout.
import kubernetes  # noqa: E402

kubernetes.__path__.append(os.path.join(checkout, 'kubernetes'))
os.chdir(checkout)
out = sys.stdout
sys.stdout = sys.stderr


class TestTimeout(Exception):
    pass


def on_alarm(signum, frame):
    raise TestTimeout('no result after %d s' % per_test_timeout)


signal.signal(signal.SIGALRM, on_alarm)


def report(test_id, outcome, seconds, message=''):
    out.write(json.dumps({'id': test_id, 'outcome': outcome, 'seconds': round(seconds, 1), 'message': message}) + '\n')
    out.flush()


def last_line(err_text):
    lines = [l for l in err_text.strip().splitlines() if l.strip()]
    return lines[-1].strip() if lines else ''


class Result(unittest.TestResult):
    def startTest(self, test):
        super().startTest(test)
        self.started = time.monotonic()
        signal.alarm(per_test_timeout)

    def stopTest(self, test):
        signal.alarm(0)
        super().stopTest(test)

    def _short_id(self, test):
        return test.id().replace('kubernetes.e2e_test.', '')

    def addSuccess(self, test):
        report(self._short_id(test), 'pass', time.monotonic() - self.started)

    def addFailure(self, test, err):
        text = ''.join(traceback.format_exception(*err))
        sys.stderr.write(text)
        report(self._short_id(test), 'fail', time.monotonic() - self.started, last_line(text))

    def addError(self, test, err):
        text = ''.join(traceback.format_exception(*err))
        sys.stderr.write(text)
        started = getattr(self, 'started', time.monotonic())
        report(self._short_id(test), 'error', time.monotonic() - started, last_line(text))

    def addSkip(self, test, reason):
        report(self._short_id(test), 'skip', 0, reason)


modules = sorted(f[:-3] for f in os.listdir(os.path.join(checkout, 'kubernetes', 'e2e_test')) if f.startswith('test_') and f.endswith('.py'))
loader = unittest.TestLoader()
suite = unittest.TestSuite()
for m in modules:
    module = importlib.import_module('kubernetes.e2e_test.' + m)
    tests = loader.loadTestsFromModule(module)
    if only:
        def keep(s):
            kept = unittest.TestSuite()
            for t in s:
                if isinstance(t, unittest.TestSuite):
                    sub = keep(t)
                    if sub.countTestCases():
                        kept.addTest(sub)
                elif t.id().replace('kubernetes.e2e_test.', '') in only:
                    kept.addTest(t)
            return kept
        tests = keep(tests)
    suite.addTest(tests)
suite.run(Result())
