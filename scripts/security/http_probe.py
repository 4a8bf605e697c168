#!/usr/bin/python3
"""HTTP requests for the security suite from Python's standard library, not
Node's: reads {"requests": [{"method", "url", "headers": [[name, value]...],
"body": "text" | null}]} on stdin and writes {"results": [{"status", "body"}]}."""
import json
import sys
import urllib.error
import urllib.request


def send(spec):
    data = None if spec.get('body') is None else spec['body'].encode('utf-8')
    request = urllib.request.Request(spec['url'], data=data, method=spec['method'])
    for name, value in spec.get('headers', []):
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=spec.get('timeout', 10)) as response:
            return {'status': response.status, 'body': response.read().decode('utf-8', 'replace')}
    except urllib.error.HTTPError as error:
        return {'status': error.code, 'body': error.read().decode('utf-8', 'replace')}


def main():
    document = json.load(sys.stdin)
    json.dump({'results': [send(spec) for spec in document['requests']]}, sys.stdout)


if __name__ == '__main__':
    main()
