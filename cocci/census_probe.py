#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Evaluate compile-time constant allocation sizes with the compiler.

census_probe.py KTREE OBJDIR ARCH CMDFILE CENSUS.csv OUT.csv

For every census row of ARCH (see census_sizes.probe_arch()) whose size is
a sizeof() expression (census_sizes.Sizes.site() says "sizeof"), a copy of the file gets, next to the allocation,
    asm volatile("# CENSUS_SIZE <line> %c0" : : "i" ((unsigned long)(SIZE)));
and is compiled to assembly with the kernel's own flags for ARCH (taken
from CMDFILE, the .cmd file of an object built in OBJDIR).  The "i"
constraint only accepts a compile-time constant, so what the assembly says
is the size the architecture's compiler computes.  A file that does not
compile is retried one site at a time; sites that still fail are left out
and listed on stderr.  Writes OUT.csv: file,line,bytes.
"""
import csv
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import census_follow  # noqa: E402
import census_sizes  # noqa: E402


def die(msg):
    sys.exit('census_probe.py: error: ' + msg)


def compile_cmd(cmdfile):
    """The compiler command of CMDFILE, without its output and source."""
    with open(cmdfile) as f:
        m = re.search(r'^savedcmd_\S+ := (.*)$', f.read(), re.M)
    if not m:
        die('%s: no savedcmd line' % cmdfile)
    cmd = m.group(1)
    cmd = re.sub(r'-Wp,-MMD,\S+', '', cmd)
    cmd = re.sub(r'-DKBUILD_BASENAME=\S+|-DKBUILD_MODNAME=\S+|-D__KBUILD_MODNAME=\S+', '', cmd)
    cmd = re.sub(r'\s-c\s+-o\s+\S+\s+\S+\.c\s*(;.*)?$', ' ', cmd)
    return cmd + ' -Wno-error -w -DKBUILD_BASENAME=\'"census"\' -DKBUILD_MODNAME=\'"census"\''


def probe_text(lines, sites):
    """The file with a probe per site: {line: expr}."""
    out = list(lines)
    for ln in sorted(sites, reverse=True):
        st = census_follow.statement(lines, ln)
        # A local declared by the statement is only in scope after it.
        decl = re.match(r'\s*(const\s+)?(struct\s+)?\w+[\s*]+(\w+)\s*=', st)
        end = ln
        while end < len(lines) and not re.search(r'[;{}]\s*$', lines[end - 1]):
            end += 1
        probe = ('asm volatile("# CENSUS_SIZE %d %%c0" : : "i" ((unsigned long)(%s)));'
                 % (ln, sites[ln]))
        if decl and decl.group(3) and re.search(r'\b%s\b' % decl.group(3), sites[ln]):
            out.insert(end, probe)
        else:
            start = ln
            while start > 1 and not re.search(r'[;{}:]\s*$', lines[start - 2]):
                start -= 1
            out.insert(start - 1, probe)
    return '\n'.join(out) + '\n'


def run(cmd, objdir, ktree, fl, text):
    d = os.path.dirname(fl)
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, os.path.basename(fl))
        with open(src, 'w') as f:
            f.write(text)
        full = '%s -I%s -I%s -S -o - %s' % (cmd, os.path.join(ktree, d), os.path.join(objdir, d), src)
        p = subprocess.run(full, shell=True, cwd=objdir, capture_output=True, text=True)
    if p.returncode:
        return None, p.stderr
    return {int(a): int(b) for a, b in re.findall(r'# CENSUS_SIZE (\d+) (\d+)', p.stdout)}, ''


def main():
    if len(sys.argv) != 7:
        die('usage: census_probe.py KTREE OBJDIR ARCH CMDFILE CENSUS.csv OUT.csv')
    ktree, objdir, arch, cmdfile, census, outf = sys.argv[1:]
    cmd = compile_cmd(cmdfile)
    src = census_follow.Source(ktree)
    sizes = census_sizes.Sizes(src)
    files = {}
    with open(census, newline='') as f:
        for r in csv.DictReader(f):
            # every allocation row (size_bytes may already hold a probed
            # value from an earlier run): the static evaluation decides
            if not r.get('size_bytes'):
                continue
            if census_sizes.probe_arch(r['file']) != arch or not r['file'].endswith('.c'):
                continue
            expr, v = sizes.site(r['file'], int(r['line']), r['allocator'] or None)
            if expr and v == 'sizeof':
                files.setdefault(r['file'], {})[int(r['line'])] = expr
    got, failed = [], []
    for fl, sites in sorted(files.items()):
        with open(os.path.join(ktree, fl), errors='replace') as f:
            lines = f.read().split('\n')
        vals, err = run(cmd, objdir, ktree, fl, probe_text(lines, sites))
        if vals is None:
            vals = {}
            for ln in sites:
                v, err = run(cmd, objdir, ktree, fl, probe_text(lines, {ln: sites[ln]}))
                if v:
                    vals.update(v)
                else:
                    failed.append('%s:%d: %s' % (fl, ln, (err.strip().splitlines() or ['?'])[-1][:200]))
        for ln, v in sorted(vals.items()):
            got.append((fl, ln, v))
        for ln in sites:
            if ln not in vals and not any(f.startswith('%s:%d:' % (fl, ln)) for f in failed):
                failed.append('%s:%d: probe compiled away (#ifdef?)' % (fl, ln))
    with open(outf, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['file', 'line', 'bytes'])
        w.writerows(got)
    for x in failed:
        print('census_probe.py: %s: not evaluated: %s' % (arch, x), file=sys.stderr)
    print('census_probe.py: %s: %d of %d sizeof() sizes evaluated in %d files'
          % (arch, len(got), sum(len(s) for s in files.values()), len(files)), file=sys.stderr)


if __name__ == '__main__':
    main()
