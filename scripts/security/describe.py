#!/usr/bin/python3
"""The security suite's view of the contracts, read with Google's protobuf
runtime from the buf image (not by our own loader).

Reads {"descriptor_set": path, "services": ["fraud.admin.v1.AdminService", ...]}
on stdin and writes, per service, every method with its streaming shape and
every text field of its request message, as paths of steps:
{"fraud.admin.v1.AdminService": [{"method": "IssueDirective",
  "client_streaming": false, "server_streaming": false,
  "text_fields": [[["msisdn", false]], [["page", false], ["page_token", false]], ...]}]}
A step is [field name as in proto/, repeated?]. Nested messages are followed a
few levels deep; google.protobuf types and map entries are not text a caller sets.
"""
import json
import sys

from google.protobuf import descriptor
from grpc_probe import load_pool

MAX_DEPTH = 4


def text_fields(message, depth=0):
    for field in message.fields:
        repeated = field.label == descriptor.FieldDescriptor.LABEL_REPEATED
        if field.type == descriptor.FieldDescriptor.TYPE_STRING:
            yield [[field.name, repeated]]
        elif field.type == descriptor.FieldDescriptor.TYPE_MESSAGE and depth < MAX_DEPTH:
            sub = field.message_type
            if sub.GetOptions().map_entry or sub.full_name.startswith('google.protobuf.'):
                continue
            for path in text_fields(sub, depth + 1):
                yield [[field.name, repeated]] + path


def main():
    document = json.load(sys.stdin)
    pool = load_pool(document['descriptor_set'])
    out = {}
    for name in document['services']:
        service = pool.FindServiceByName(name)
        out[name] = [
            {
                'method': m.name,
                'client_streaming': m.client_streaming,
                'server_streaming': m.server_streaming,
                'text_fields': list(text_fields(m.input_type)),
            }
            for m in service.methods
        ]
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
