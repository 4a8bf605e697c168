#!/usr/bin/python3
"""Server reflection as a standard client sees it: C-core gRPC (Debian's
python3-grpcio) asks, Google's protobuf runtime builds descriptor pools from the
answers. The reflection messages themselves are declared here, so nothing of the
server's descriptors or of our loader is trusted.

Reads one JSON document on stdin:

  {"ports": [PORT, ...],
   "versions": ["v1", "v1alpha"],
   "fields": {"fraud.common.v1.Evidence": ["summary", "window_start", ...], ...},
                                  # every message of proto/ with its field names
   "resolve": ["fraud.common.v1.Evidence", ...]}
                                  # types every application service's pool must resolve

PORT = {"name": "admin", "target": "127.0.0.1:50052",
        "describe": ["fraud.carrier.v1.CarrierService"],   # served but not listed
        "files": ["fraud/carrier/v1/carrier.proto"]}      # fetched by file name

and writes {"results": [RESULT, ...]}, one per port and version:

  {"port": "admin", "version": "v1",
   "listed": [service, ...],                       # ListServices
   "services": {service: {"files": [name, ...],    # file_containing_symbol, in answer order
                          "methods": {name: [input type, output type]},
                          "resolved": [type, ...]}},
   "files": {name: [name, ...]},                   # file_by_filename answers
   "health_map_entry": true,                       # HealthListResponse.statuses is a map
   "extension": {"error_code": 5, ...},            # file_containing_extension
   "extension_numbers": {"base_type_name": ..., "extension_number": [...]},
   "unknown_type": {"error_code": 5, ...},         # all_extension_numbers_of_type of no type
   "fields_checked": 42,                           # messages compared with "fields"
   "problems": [str, ...]}                         # anything a standard client would trip on
"""
import json
import re
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

FieldProto = descriptor_pb2.FieldDescriptorProto
SNAKE_CASE = re.compile(r'^[a-z][a-z0-9]*(_[a-z0-9]+)*$')


def message_class(descriptor):
    if hasattr(message_factory, 'GetMessageClass'):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def reflection_messages(version):
    """ServerReflectionRequest/Response of grpc/reflection/<version>/reflection.proto, declared by hand."""
    package = 'grpc.reflection.' + version
    f = descriptor_pb2.FileDescriptorProto(name='reflection_check/%s.proto' % version, package=package, syntax='proto3')

    def message(name, fields, oneof=None):
        m = f.message_type.add(name=name)
        if oneof:
            m.oneof_decl.add(name=oneof)
        for number, field_name, kind, type_name, repeated, in_oneof in fields:
            label = FieldProto.LABEL_REPEATED if repeated else FieldProto.LABEL_OPTIONAL
            field = m.field.add(name=field_name, number=number, type=kind, label=label)
            if type_name:
                field.type_name = '.%s.%s' % (package, type_name)
            if in_oneof:
                field.oneof_index = 0

    S, B, I, M = FieldProto.TYPE_STRING, FieldProto.TYPE_BYTES, FieldProto.TYPE_INT32, FieldProto.TYPE_MESSAGE
    message('ServerReflectionRequest', [
        (1, 'host', S, None, False, False),
        (3, 'file_by_filename', S, None, False, True),
        (4, 'file_containing_symbol', S, None, False, True),
        (5, 'file_containing_extension', M, 'ExtensionRequest', False, True),
        (6, 'all_extension_numbers_of_type', S, None, False, True),
        (7, 'list_services', S, None, False, True),
    ], oneof='message_request')
    message('ExtensionRequest', [
        (1, 'containing_type', S, None, False, False),
        (2, 'extension_number', I, None, False, False),
    ])
    message('ServerReflectionResponse', [
        (1, 'valid_host', S, None, False, False),
        (2, 'original_request', M, 'ServerReflectionRequest', False, False),
        (4, 'file_descriptor_response', M, 'FileDescriptorResponse', False, True),
        (5, 'all_extension_numbers_response', M, 'ExtensionNumberResponse', False, True),
        (6, 'list_services_response', M, 'ListServiceResponse', False, True),
        (7, 'error_response', M, 'ErrorResponse', False, True),
    ], oneof='message_response')
    message('FileDescriptorResponse', [(1, 'file_descriptor_proto', B, None, True, False)])
    message('ExtensionNumberResponse', [
        (1, 'base_type_name', S, None, False, False),
        (2, 'extension_number', I, None, True, False),
    ])
    message('ListServiceResponse', [(1, 'service', M, 'ServiceResponse', True, False)])
    message('ServiceResponse', [(1, 'name', S, None, False, False)])
    message('ErrorResponse', [(1, 'error_code', I, None, False, False), (2, 'error_message', S, None, False, False)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    find = lambda name: message_class(pool.FindMessageTypeByName('%s.%s' % (package, name)))
    return find('ServerReflectionRequest'), find('ServerReflectionResponse')


def protoc_json_name(name):
    """protoc's ToJsonName: underscores dropped, the letter after each one upper-cased."""
    out, upper = [], False
    for c in name:
        if c == '_':
            upper = True
        elif upper:
            out.append(c.upper())
            upper = False
        else:
            out.append(c)
    return ''.join(out)


class Session:
    def __init__(self, target, version):
        self.version = version
        self.request_type, self.response_type = reflection_messages(version)
        self.channel = grpc.insecure_channel(target)
        self.call = self.channel.stream_stream(
            '/grpc.reflection.%s.ServerReflection/ServerReflectionInfo' % version,
            request_serializer=self.request_type.SerializeToString,
            response_deserializer=self.response_type.FromString,
        )

    def ask(self, requests):
        """All requests on one stream; one answer each, in order."""
        messages = [self.request_type(**r) for r in requests]
        answers = list(self.call(iter(messages), timeout=20))
        if len(answers) != len(messages):
            raise SystemExit('%d answers to %d reflection requests' % (len(answers), len(messages)))
        return answers

    def close(self):
        self.channel.close()


def error_of(answer):
    which = answer.WhichOneof('message_response')
    if which != 'error_response':
        return {'answer': which}
    return {'error_code': answer.error_response.error_code, 'error_message': answer.error_response.error_message}


class Check:
    def __init__(self, document):
        self.fields = document['fields']
        self.resolve = document['resolve']
        self.problems = []
        self.fields_checked = set()

    def pool_from(self, what, answer):
        """A fresh pool from one answer's files, each added as the server sent its bytes."""
        if answer.WhichOneof('message_response') != 'file_descriptor_response':
            self.problems.append('%s: answered %s' % (what, error_of(answer)))
            return None, []
        raw = list(answer.file_descriptor_response.file_descriptor_proto)
        files = [(descriptor_pb2.FileDescriptorProto.FromString(b), b) for b in raw]
        names = [fd.name for fd, _ in files]
        pool = descriptor_pool.DescriptorPool()
        added, pending = set(), list(files)
        while pending:
            ready = [(fd, b) for fd, b in pending if all(d in added for d in fd.dependency)]
            if not ready:
                missing = sorted({d for fd, _ in pending for d in fd.dependency if d not in added and d not in names})
                self.problems.append('%s: imports not in the answer: %s' % (what, ', '.join(missing) or 'a cycle'))
                return None, names
            for fd, b in ready:
                try:
                    pool.AddSerializedFile(b)
                except Exception as error:  # the C++ pool's own verdict, e.g. an invalid map entry
                    self.problems.append('%s: %s does not load: %s' % (what, fd.name, error))
                    return None, names
                added.add(fd.name)
                pending.remove((fd, b))
                self.check_fields(what, fd, pool)
        return pool, names

    def check_fields(self, what, fd, pool):
        def visit(message, scope):
            full = scope + '.' + message.name if scope else message.name
            for field in message.field:
                if not SNAKE_CASE.match(field.name):
                    self.problems.append('%s: %s.%s is not snake_case' % (what, full, field.name))
                if not field.HasField('json_name') or field.json_name != protoc_json_name(field.name):
                    self.problems.append('%s: %s.%s has json_name %r, protoc sets %r' % (
                        what, full, field.name, field.json_name, protoc_json_name(field.name)))
            if full in self.fields:
                self.fields_checked.add(full)
                served = [f.name for f in pool.FindMessageTypeByName(full).fields]
                if served != self.fields[full]:
                    self.problems.append(
                        '%s: %s has fields %s, proto/ declares %s' % (what, full, served, self.fields[full]))
            for nested in message.nested_type:
                visit(nested, full)

        for message in fd.message_type:
            visit(message, fd.package)

    def service(self, what, name, answer, application):
        pool, files = self.pool_from(what, answer)
        found = {'files': files, 'methods': {}, 'resolved': []}
        if pool is None:
            return found
        try:
            service = pool.FindServiceByName(name)
        except KeyError:
            self.problems.append('%s: no service %s in the pool' % (what, name))
            return found
        for method in service.methods:
            for kind, message in (('input', method.input_type), ('output', method.output_type)):
                try:
                    message_class(pool.FindMessageTypeByName(message.full_name))
                except Exception as error:
                    self.problems.append('%s: %s of %s: %s' % (what, kind, method.full_name, error))
            found['methods'][method.name] = [method.input_type.full_name, method.output_type.full_name]
        if application:
            for type_name in self.resolve:
                try:
                    message_class(pool.FindMessageTypeByName(type_name))
                    found['resolved'].append(type_name)
                except KeyError:
                    self.problems.append('%s: %s does not resolve' % (what, type_name))
        return found

    def port(self, port, version):
        session = Session(port['target'], version)
        try:
            listed = sorted(s.name for s in session.ask([{'list_services': '*'}])[0].list_services_response.service)
            described = listed + [s for s in port.get('describe', []) if s not in listed]
            files = port.get('files', [])
            answers = session.ask(
                [{'file_containing_symbol': s} for s in described]
                + [{'file_by_filename': f} for f in files]
                + [
                    {'file_containing_extension': {
                        'containing_type': 'fraud.common.v1.Evidence',
                        'extension_number': 1000,
                    }},
                    {'all_extension_numbers_of_type': 'fraud.common.v1.Evidence'},
                    {'all_extension_numbers_of_type': 'fraud.nothing.v1.NoSuchType'},
                ]
            )
        finally:
            session.close()
        result = {'port': port['name'], 'version': version, 'listed': listed, 'services': {}, 'files': {}}
        for name, answer in zip(described, answers):
            application = not name.startswith('grpc.')
            result['services'][name] = self.service(
                '%s %s %s' % (port['name'], version, name), name, answer, application)
        for name, answer in zip(files, answers[len(described):]):
            if answer.WhichOneof('message_response') == 'error_response':
                result['files'][name] = error_of(answer)  # a file the port does not serve: the caller expects it or not
                continue
            pool, names = self.pool_from('%s %s file %s' % (port['name'], version, name), answer)
            result['files'][name] = names
        extension, numbers, unknown = answers[len(described) + len(files):]
        result['extension'] = error_of(extension)
        result['extension_numbers'] = (
            {
                'base_type_name': numbers.all_extension_numbers_response.base_type_name,
                'extension_number': list(numbers.all_extension_numbers_response.extension_number),
            }
            if numbers.WhichOneof('message_response') == 'all_extension_numbers_response'
            else error_of(numbers)
        )
        result['unknown_type'] = error_of(unknown)
        health = answers[described.index('grpc.health.v1.Health')] if 'grpc.health.v1.Health' in described else None
        result['health_map_entry'] = self.health_map_entry(port, version, health)
        return result

    def health_map_entry(self, port, version, answer):
        if answer is None:
            return False
        pool, _ = self.pool_from('%s %s health' % (port['name'], version), answer)
        if pool is None:
            return False
        statuses = pool.FindMessageTypeByName('grpc.health.v1.HealthListResponse').fields_by_name['statuses']
        return statuses.message_type.GetOptions().map_entry


def main():
    document = json.load(sys.stdin)
    results = []
    for port in document['ports']:
        for version in document['versions']:
            check = Check(document)
            result = check.port(port, version)
            result['fields_checked'] = len(check.fields_checked)
            result['problems'] = check.problems
            results.append(result)
    json.dump({'results': results}, sys.stdout)


if __name__ == '__main__':
    main()
