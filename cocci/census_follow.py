# SPDX-License-Identifier: GPL-2.0
"""Follow a GFP_DMA buffer to where it goes (used by census.py).

A zone-flag site is decided by where its memory goes, not only by its own
function.  The unit is the driver's directory: a buffer kept in a struct
field is followed into every function of the directory that uses the
field; a buffer handed to a function defined in the directory is followed
into that function's parameter.  What the buffer reaches decides:

  phys      its physical address goes to hardware or firmware
            (virt_to_phys(), __pa(), page_to_phys(), ...): memory-limit
  hvcall    an s390 hypervisor call takes it by address (z/VM DIAGNOSE,
            CP commands, IUCV messages): memory-limit, no device
  stream    the streaming DMA API maps it (dma_map_*(), scatterlists)
  bus       a bus maps it for its controller (SPI, I2C, regmap, USB,
            SDIO/MMC, SCSI)
  cpu       only the CPU touches it (copies, byte swaps, values passed on)

This is text analysis of kernel-style C (functions start at column 0 and
end with '}' at column 0), not a compiler: it errs towards "unknown",
which leaves the site to a human.
"""
import os
import re

# What a buffer may reach, most decisive first.
PHYS = re.compile(r'\b(virt_to_phys|__pa|__pa_symbol|page_to_phys|page_to_pfn|virt_to_pfn|'
                  r'isa_virt_to_bus|virt_to_bus|set_dma_addr|lv1_\w+|ps3_mm_phys_to_lpar|'
                  r'__psp_pa|slow_virt_to_phys|virt_to_hvpfn|outl)\s*\(')
# s390 hypervisor and firmware calls that take a buffer by its (31-bit)
# address: z/VM DIAGNOSE wrappers (diag26c(), dcss_diag(), ...), CP
# commands and IUCV messages.
HVCALL = re.compile(r'\b(diag\d\w*|__diag\d\w*|dcss_diag|__?cpcmd|__?iucv_message_\w+)\s*\(')
STREAM = re.compile(r'\b(dma_map_single|dma_map_single_attrs|dma_map_page|dma_map_page_attrs|'
                    r'dma_map_sg|dma_map_sgtable|dma_map_sg_attrs|sg_init_one|sg_set_buf|'
                    r'sg_set_page|sg_alloc_table_from_pages|page_pool_\w+|'
                    r'dma_sync_single_for_\w+)\s*\(')
BUSES = [
    ('SPI', re.compile(r'\b(spi_sync|spi_async|spi_write|spi_read|spi_write_then_read|'
                       r'spi_sync_transfer|spi_message_add_tail|spi_mem_exec_op)\s*\(|'
                       r'\b(tx_buf|rx_buf)\s*=')),
    ('I2C', re.compile(r'\b(i2c_transfer|i2c_master_send|i2c_master_recv|'
                       r'i2c_smbus_\w+|__i2c_transfer)\s*\(')),
    ('regmap', re.compile(r'\b(regmap_raw_write|regmap_raw_read|regmap_bulk_write|'
                          r'regmap_bulk_read|regmap_noinc_write|regmap_noinc_read|'
                          r'regmap_raw_write_async|snd_soc_bulk_write_raw|'
                          r'snd_soc_component_bulk_\w+)\s*\(')),
    ('USB', re.compile(r'\b(usb_control_msg|usb_bulk_msg|usb_interrupt_msg|'
                       r'usb_fill_\w+_urb|usb_control_msg_send|usb_control_msg_recv)\s*\(|'
                       r'\btransfer_buffer\s*=')),
    ('SDIO/MMC', re.compile(r'\b(sdio_memcpy_toio|sdio_memcpy_fromio|sdio_readsb|'
                            r'sdio_writesb|mmc_wait_for_req|mmc_wait_for_data)\s*\(')),
    ('SCSI', re.compile(r'\b(scsi_execute_cmd|scsi_execute|blk_rq_map_kern)\s*\(')),
]
# Where each bus maps a caller's buffer and where it cannot bounce.
BUS_WHY = {
    'SPI': 'the SPI core maps tx_buf/rx_buf for the controller with dma_map_sgtable() '
           '(spi_map_msg()), which bounces through swiotlb; no bounce for a controller '
           'that does its own DMA without the DMA API',
    'I2C': 'I2C host drivers get a DMA-safe copy from i2c_get_dma_safe_msg_buf() '
           'unless I2C_M_DMA_SAFE is set, and map it with their own device',
    'regmap': 'regmap hands the buffer to its bus (SPI, I2C, ...), which maps it for '
              'the controller or copies it',
    'USB': 'the HCD maps transfer_buffer with dma_map_single() on the host controller '
           '(usb_hcd_map_urb_for_dma()), which bounces; no bounce for PIO and '
           'local-memory HCDs, which copy',
    'SDIO/MMC': 'the MMC host maps the request\'s scatterlist with dma_map_sg() on its own '
                'device, which bounces',
    'SCSI': 'blk_rq_map_kern() copies a buffer the queue cannot reach and the HBA maps '
            'the request with dma_map_sg()',
}
# The CPU only: uses that do not let the buffer escape.
CPU_CALL = re.compile(r'^(kfree|kfree_sensitive|kvfree|devm_kfree|memcpy|memmove|memset|memcmp|'
                      r'memzero_explicit|copy_from_user|copy_to_user|strscpy|strncpy|strcpy|'
                      r'snprintf|sprintf|scnprintf|print_hex_dump\w*|dev_dbg|dev_err|'
                      r'dev_warn|dev_info|pr_\w+|be\d+_to_cpu\w*|le\d+_to_cpu\w*|'
                      r'cpu_to_be\d+\w*|cpu_to_le\d+\w*|get_unaligned\w*|put_unaligned\w*|'
                      r'sizeof|ARRAY_SIZE|IS_ERR|PTR_ERR|unlikely|likely|WARN_ON|'
                      r'crc\w*|swab\w*|min|max|min_t|max_t|kmemdup|krealloc|'
                      r'regmap_write|regmap_read|snd_soc_component_write|'
                      r'snd_soc_component_read)$')
DEF_RE = re.compile(r'^(?:[A-Za-z_][\w \t*]*?[\s*])?(\w+)\s*\(([^;]*)$')
MAX_DRIVER_FILES = 12
KW = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'do', 'else'}


class Source:
    """Functions of the C files of a directory."""

    def __init__(self, ktree):
        self.ktree = ktree
        self.files = {}
        self.dirs = {}

    def lines(self, fl):
        if fl not in self.files:
            try:
                with open(os.path.join(self.ktree, fl), errors='replace') as f:
                    text = f.read()
            except OSError:
                text = ''
            # Comments out, line numbers kept.
            text = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)
            text = re.sub(r'//[^\n]*', '', text)
            self.files[fl] = text.split('\n')
        return self.files[fl]

    def functions(self, fl):
        """[(name, first line, last line, params)], 1-based, of file fl."""
        key = ('fn', fl)
        if key in self.dirs:
            return self.dirs[key]
        out, lines, i = [], self.lines(fl), 0
        while i < len(lines):
            m = DEF_RE.match(lines[i])
            if m and m.group(1) not in KW and not lines[i].startswith((' ', '\t', '#')):
                # the body opens at column 0 within a few lines
                head, j = lines[i], i
                while j < len(lines) - 1 and j - i < 8 and not lines[j].startswith('{'):
                    if lines[j].rstrip().endswith(';'):
                        break
                    j += 1
                    head += ' ' + lines[j].strip()
                if lines[j].startswith('{'):
                    k = j + 1
                    while k < len(lines) and not lines[k].startswith('}'):
                        k += 1
                    params = re.search(r'\((.*)\)', head)
                    plist = []
                    if params:
                        for p in params.group(1).split(','):
                            pm = re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', p.strip())
                            plist.append(pm.group(1) if pm else '')
                    out.append((m.group(1), i + 1, min(k + 1, len(lines)), plist))
                    i = k
            i += 1
        self.dirs[key] = out
        return out

    def dir_files(self, fl):
        d = os.path.dirname(fl)
        key = ('dir', d)
        if key not in self.dirs:
            try:
                names = sorted(os.listdir(os.path.join(self.ktree, d)))
            except OSError:
                names = []
            self.dirs[key] = [os.path.join(d, n) for n in names if n.endswith(('.c', '.h'))]
        return self.dirs[key]

    def function_at(self, fl, ln):
        for f in self.functions(fl):
            if f[1] <= ln <= f[2]:
                return f
        return None

    def body(self, fl, f):
        """[(line number, text)] of function f of fl."""
        lines = self.lines(fl)
        return [(n, lines[n - 1]) for n in range(f[1], f[2] + 1)]

    def macro(self, name, fl):
        """Value text of an object-like macro defined in fl's directory."""
        for g in [fl] + self.dir_files(fl):
            for line in self.lines(g):
                m = re.match(r'\s*#\s*define\s+%s\s+(.+?)\s*$' % re.escape(name), line)
                if m:
                    return m.group(1)
        return None


def statement(lines, ln):
    """The statement around 1-based line ln (joined up to its ';')."""
    i = ln - 1
    st = lines[i]
    while i > 0 and not re.search(r'[;{}]\s*$', lines[i - 1]) and len(st) < 600:
        i -= 1
        st = lines[i] + ' ' + st
    j = ln - 1
    while not re.search(r'[;{}]\s*$', lines[j]) and j + 1 < len(lines) and j - ln < 10:
        j += 1
        st += ' ' + lines[j]
    return re.sub(r'\s+', ' ', st)


def target(stmt, call):
    """What the result of call(...) in stmt is stored in: ('local', name),
    ('field', name), ('return', '') or None."""
    m = re.search(r'(\breturn\b|[\w\]\[>.-]+?)\s*=\s*(\([^()]*\)\s*)?%s\s*\(' % re.escape(call), stmt)
    if not m:
        m2 = re.search(r'\breturn\s+(\([^()]*\)\s*)?%s\s*\(' % re.escape(call), stmt)
        return ('return', '') if m2 else None
    lhs = m.group(1)
    if lhs == 'return':
        return ('return', '')
    lhs = re.sub(r'\[[^\]]*\]$', '', lhs)
    fm = re.search(r'(->|\.)(\w+)$', lhs)
    if fm:
        return ('field', fm.group(2))
    if re.fullmatch(r'\w+', lhs):
        return ('local', lhs)
    return None


def classify_use(text, name):
    """What one line using name does with it: a (kind, detail) or None."""
    m = PHYS.search(text)
    if m:
        return ('phys', m.group(1))
    m = HVCALL.search(text)
    if m:
        return ('hvcall', m.group(1))
    m = STREAM.search(text)
    if m:
        return ('stream', m.group(1))
    for bus, rx in BUSES:
        m = rx.search(text)
        if m:
            return ('bus', bus)
    return None


class Follower:
    def __init__(self, src):
        self.src = src

    def follow(self, fl, ln, call):
        """(kind, detail, where) for the allocation by call at fl:ln."""
        lines = self.src.lines(fl)
        if not lines or ln > len(lines):
            return None
        t = target(statement(lines, ln), call)
        if t is None:
            return None
        f = self.src.function_at(fl, ln)
        if f is None:
            return None
        seen = set()
        return self._follow(fl, f, t, ln, seen, 0)

    def _follow(self, fl, f, t, after, seen, depth):
        if (fl, f[0], t) in seen or depth > 3:
            return None
        seen.add((fl, f[0], t))
        kind, name = t
        if kind == 'return':
            # a local helper: follow what its callers store the result in
            res = []
            for g in self.driver_files(fl):
                for h in self.src.functions(g):
                    for n, text in self.src.body(g, h):
                        if re.search(r'\b%s\s*\(' % re.escape(f[0]), text) and n != f[1]:
                            t2 = target(statement(self.src.lines(g), n), f[0])
                            if t2 and t2[0] != 'return':
                                res.append(self._follow(g, h, t2, n, seen, depth + 1))
            return best(res)
        if kind == 'field':
            # the file first; the directory only when it holds one driver
            rx = re.compile(r'(->|\.)%s\b' % re.escape(name))
            for files in ([fl], self.driver_files(fl)):
                res = []
                for g in files:
                    for h in self.src.functions(g):
                        res.append(self._scan(g, h, rx, 0, seen, depth, name))
                if best(res):
                    return best(res)
            return None
        rx = re.compile(r'(?<![\w>.])%s\b' % re.escape(name))
        return self._scan(fl, f, rx, after, seen, depth, name)

    def _scan(self, fl, f, rx, after, seen, depth, name):
        res = []
        lines = self.src.lines(fl)
        for n, text in self.src.body(fl, f):
            if n <= after or not rx.search(text):
                continue
            st = statement(lines, n)
            u = classify_use(st, name)
            if u:
                res.append((u[0], u[1], '%s:%d' % (fl, n)))
                continue
            # stored elsewhere: follow the copy
            m = re.search(r'([\w\]\[>.-]+?)\s*=\s*(\([^()]*\)\s*)?&?\s*([\w>.-]+)\s*[;,)]', st)
            if m and re.split(r'->|\.', m.group(3))[-1] == name:
                t2 = target_of_lhs(m.group(1))
                if t2:
                    res.append(self._follow(fl, f, t2, n, seen, depth + 1))
            # handed to a function of the directory: follow its parameter
            for cm in re.finditer(r'\b(\w+)\s*\(([^;]*)', st):
                callee = cm.group(1)
                if callee in KW:
                    continue
                args = split_args(cm.group(2))
                for i, a in enumerate(args):
                    if rx.search(a):
                        h = self.find_function(fl, callee)
                        if h and i < len(h[1][3]) and h[1][3][i]:
                            res.append(self._follow(h[0], h[1], ('local', h[1][3][i]),
                                                    h[1][1], seen, depth + 1))
        return best(res)

    def driver_files(self, fl):
        """The files of fl's driver: its directory if that holds no more
        than MAX_DRIVER_FILES C files (one driver), else fl alone."""
        files = self.src.dir_files(fl)
        return files if len(files) <= MAX_DRIVER_FILES else [fl]

    def find_function(self, fl, name):
        for g in [fl] + self.driver_files(fl):
            for h in self.src.functions(g):
                if h[0] == name:
                    return (g, h)
        return None

    def cpu_only(self, fl, ln, call):
        """True if the buffer allocated at fl:ln stays a local of its
        function and every use is one the CPU does (copies, conversions,
        NULL checks, kfree)."""
        lines = self.src.lines(fl)
        t = target(statement(lines, ln), call)
        f = self.src.function_at(fl, ln)
        if not t or t[0] != 'local' or f is None:
            return False
        names = {t[1]}
        for n, text in self.src.body(fl, f):
            if n <= ln:
                continue
            for nm in list(names):
                if not re.search(r'(?<![\w>.])%s\b' % nm, text):
                    continue
                st = statement(lines, n)
                # aliases: x = (T *)buf; x = buf + n;
                m = re.search(r'(\w+)\s*=\s*(\([^()]*\)\s*)?%s\b' % nm, st)
                if m and not re.search(r'[>.]\s*\w+\s*=', st):
                    names.add(m.group(1))
                    continue
                if re.search(r'(->|\.)\w+\s*=\s*[^;]*\b%s\b' % nm, st):
                    return False            # stored in a struct
                if re.search(r'\breturn\b[^;]*\b%s\b' % nm, st):
                    return False
                for cm in re.finditer(r'\b(\w+)\s*\(', st):
                    args = ','.join(split_args(st[cm.end():]))
                    if re.search(r'(?<![\w>.])%s\b' % nm, args) and \
                            not CPU_CALL.match(cm.group(1)) and cm.group(1) not in KW:
                        return False
        return True


def target_of_lhs(lhs):
    lhs = re.sub(r'\[[^\]]*\]$', '', lhs.strip())
    fm = re.search(r'(->|\.)(\w+)$', lhs)
    if fm:
        return ('field', fm.group(2))
    if re.fullmatch(r'\w+', lhs):
        return ('local', lhs)
    return None


def split_args(s):
    out, depth, cur = [], 0, ''
    for ch in s:
        if ch in '([{':
            depth += 1
        elif ch in ')]}':
            if depth == 0:
                break
            depth -= 1
        if ch == ',' and depth == 0:
            out.append(cur)
            cur = ''
        else:
            cur += ch
    out.append(cur)
    return out


RANK = {'phys': 0, 'hvcall': 0, 'stream': 1, 'bus': 2}


def best(res):
    res = [r for r in res if r]
    if not res:
        return None
    return min(res, key=lambda r: RANK[r[0]])
