"""Exit 0 once the request stream has an answer from HOST that started after SINCE.

python3 lab-answers.py FILE HOST SINCE
"""

import json
import sys


def main():
    path, name, since = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(path, encoding="utf-8") as requests:
        for line in requests:
            if not line.endswith("\n"):
                break  # a line still being written
            record = json.loads(line)
            if record["start"] > since and record.get("status") == 200 and name in (record.get("message") or ""):
                return 0
    print("no answer from %s since %s yet" % (name, since))
    return 1


if __name__ == "__main__":
    sys.exit(main())
