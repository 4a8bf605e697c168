#!/usr/bin/python3
"""An independent gRPC client for the security suite: C-core gRPC (Debian's
python3-grpcio) and Google's protobuf runtime, nothing of grpc-js or protobufjs.

Reads one JSON document on stdin:

  {"descriptor_set": "/path/to/image.binpb",   # the buf image (npm run proto)
   "parallel": false,                           # run the calls at once (threads)
   "calls": [ CALL, ... ]}

CALL:
  {"target": "127.0.0.1:50051",
   "method": "fraud.registry.v1.RegistryService/CheckNumbers",
   "request": {...}            # proto3 JSON of the request (field names as in proto/)
   | "requests": [{...}, ...]  # a client or bidi stream's messages
   | "raw_hex": "0a03..."      # the request's bytes as sent, unchecked
   "metadata": [["authorization", "Bearer ..."], ...],
   "timeout": 10,              # seconds
   "read": 5,                  # server streams: read at most this many messages, then cancel
   "read_for": 2.0,            # server streams: read for at most this long, then cancel
   "hold": 0.0}                # seconds to wait before half-closing a client stream

and writes one JSON document on stdout: {"results": [RESULT, ...]} in the order
of the calls, RESULT = {"code": "OK"|"INVALID_ARGUMENT"|..., "details": str,
"response": {...} | null, "responses": [...], "elapsed": seconds}.
"""
import json
import sys
import threading
import time

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def load_pool(path):
    with open(path, 'rb') as f:
        fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    pending = list(fds.file)
    added = set()
    # Add files after their dependencies.
    while pending:
        progressed = False
        for fd in list(pending):
            if all(dep in added for dep in fd.dependency):
                pool.Add(fd)
                added.add(fd.name)
                pending.remove(fd)
                progressed = True
        if not progressed:
            raise SystemExit('unresolvable dependencies: ' + ', '.join(fd.name for fd in pending))
    return pool


def message_class(descriptor):
    if hasattr(message_factory, 'GetMessageClass'):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


class Probe:
    def __init__(self, pool):
        self.pool = pool
        self.channels = {}
        self.lock = threading.Lock()

    def channel(self, target):
        with self.lock:
            if target not in self.channels:
                self.channels[target] = grpc.insecure_channel(target)
            return self.channels[target]

    def method(self, name):
        service_name, method_name = name.split('/')
        method = self.pool.FindServiceByName(service_name).FindMethodByName(method_name)
        return method, message_class(method.input_type), message_class(method.output_type)

    def call(self, spec):
        started = time.monotonic()
        result = {'code': 'OK', 'details': '', 'response': None, 'responses': []}
        try:
            method, request_type, response_type = self.method(spec['method'])
            path = '/' + spec['method']
            metadata = [tuple(pair) for pair in spec.get('metadata', [])]
            timeout = spec.get('timeout', 10)
            deserialize = response_type.FromString

            def encode(value):
                return request_type.SerializeToString(json_format.ParseDict(value, request_type()))

            if 'raw_hex' in spec:
                raw = bytes.fromhex(spec['raw_hex'])
                serialize = lambda _ignored: raw
                messages = [None]
            else:
                serialize = lambda data: data
                messages = [encode(m) for m in spec.get('requests', [spec.get('request', {})])]
            channel = self.channel(spec['target'])
            client_stream, server_stream = method.client_streaming, method.server_streaming

            def request_iterator():
                for m in messages:
                    yield m
                if spec.get('hold'):
                    time.sleep(spec['hold'])

            if not client_stream and not server_stream:
                call = channel.unary_unary(path, request_serializer=serialize, response_deserializer=deserialize)
                result['response'] = to_json(call(messages[0], metadata=metadata, timeout=timeout))
            elif client_stream and not server_stream:
                call = channel.stream_unary(path, request_serializer=serialize, response_deserializer=deserialize)
                result['response'] = to_json(call(request_iterator(), metadata=metadata, timeout=timeout))
            else:
                if client_stream:
                    call = channel.stream_stream(path, request_serializer=serialize, response_deserializer=deserialize)
                    stream = call(request_iterator(), metadata=metadata, timeout=timeout)
                else:
                    call = channel.unary_stream(path, request_serializer=serialize, response_deserializer=deserialize)
                    stream = call(messages[0], metadata=metadata, timeout=timeout)
                limit = spec.get('read')
                read_for = spec.get('read_for')
                if read_for is not None:
                    timer = threading.Timer(read_for, stream.cancel)
                    timer.daemon = True
                    timer.start()
                try:
                    for response in stream:
                        result['responses'].append(to_json(response))
                        if limit is not None and len(result['responses']) >= limit:
                            stream.cancel()
                            break
                except grpc.RpcError as error:
                    if error.code() != grpc.StatusCode.CANCELLED or (limit is None and read_for is None):
                        raise
                result['code'] = (
                    'OK'
                    if stream.code() in (None, grpc.StatusCode.OK, grpc.StatusCode.CANCELLED)
                    else stream.code().name
                )
                if stream.code() == grpc.StatusCode.CANCELLED:
                    result['code'] = 'CANCELLED'
        except grpc.RpcError as error:
            result['code'] = error.code().name
            result['details'] = error.details() or ''
        result['elapsed'] = round(time.monotonic() - started, 4)
        return result


def to_json(message):
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def main():
    document = json.load(sys.stdin)
    probe = Probe(load_pool(document['descriptor_set']))
    calls = document['calls']
    results = [None] * len(calls)
    if document.get('parallel'):
        def run(i):
            results[i] = probe.call(calls[i])
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i, spec in enumerate(calls):
            results[i] = probe.call(spec)
    json.dump({'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
