#!/usr/bin/env python3
"""Dựng docs/pack-guide.md từ mẫu: chèn nguyên văn tệp và kết quả lệnh thật."""
import re, sys, pathlib
G = pathlib.Path(__file__).resolve().parent
tmpl = (G / 'pack-guide.tmpl.md').read_text(encoding='utf-8')

def ranges(spec, n):
    keep = set()
    for part in spec.split(','):
        if '-' in part:
            a, b = part.split('-')
            a = int(a); b = n if b == '' else int(b)
            keep.update(range(a, b + 1))
        else:
            keep.add(int(part))
    return keep

def select(lines, opts):
    n = len(lines)
    if 'keep' in opts:
        keep = ranges(opts['keep'], n)
    elif 'grep' in opts:
        rx = re.compile(opts['grep'])
        keep = {i + 1 for i, l in enumerate(lines) if rx.search(l)}
    else:
        return lines
    out, gap = [], False
    for i, l in enumerate(lines, 1):
        if i in keep:
            if gap and out is not None:
                out.append('…')
            gap = False
            out.append(l)
        else:
            gap = True
    if gap:
        out.append('…')
    return out

def parse_opts(rest):
    opts = {}
    for m in re.finditer(r'(\w+)=("([^"]*)"|\S+)', rest):
        opts[m.group(1)] = m.group(3) if m.group(3) is not None else m.group(2)
    for w in rest.split():
        if '=' not in w:
            opts[w] = True
    return opts

def out_block(name, rest):
    opts = parse_opts(rest)
    text = (G / 'out' / f'{name}.txt').read_text(encoding='utf-8').rstrip('\n').split('\n')
    cmd, body, code = text[0], text[1:-1], text[-1]
    m = re.match(r'\[mã thoát: (\d+)\]', code)
    assert m, (name, code)
    while body and body[-1] == '':
        body.pop()
    body = select(body, opts)
    if 'cut' in opts:
        n = int(opts['cut'])
        body = [l if len(l) <= n else l[:n] + '…' for l in body]
    res = [cmd] + body
    if 'code' in opts:
        res += ['$ echo $?', m.group(1)]
    if 'nocmd' in opts:
        res = res[1:]
    return '\n'.join(res)

def file_block(path, rest):
    opts = parse_opts(rest)
    lines = (G / path).read_text(encoding='utf-8').rstrip('\n').split('\n')
    lines = select(lines, opts)
    if 'cut' in opts:
        n = int(opts['cut'])
        lines = [l if len(l) <= n else l[:n] + '…' for l in lines]
    return '\n'.join(lines)

def sub(m):
    kind, arg, rest = m.group(1), m.group(2), m.group(3) or ''
    if kind == 'OUT':
        return out_block(arg, rest)
    return file_block(arg, rest)

lines_out = []
for line in tmpl.split('\n'):
    m = re.fullmatch(r'(\s*)@@(OUT|FILE) (\S+)((?: [^@]+)?)@@', line)
    if m:
        block = sub(re.match(r'@@(OUT|FILE) (\S+)((?: [^@]+)?)@@', line.strip()))
        lines_out += [(m.group(1) + l) if l else l for l in block.split('\n')]
    else:
        lines_out.append(line)
doc = re.sub(r'@@(OUT|FILE) (\S+)((?: [^@]+)?)@@', sub, '\n'.join(lines_out))
left = re.findall(r'@@[^@]*@@', doc)
assert not left, left
pathlib.Path(sys.argv[1]).write_text(doc, encoding='utf-8')
print('ok', len(doc.splitlines()), 'dòng')
