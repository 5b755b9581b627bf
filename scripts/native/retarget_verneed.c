/* Retargets one version requirement of a 64-bit little-endian ELF shared library, in place:
 *   retarget_verneed LIBRARY FROM TO      e.g. GLIBCXX_3.4.32 GLIBCXX_3.4.30
 * The .gnu.version_r entry naming FROM gets the name and hash of an entry already naming TO, so the
 * dynamic loader no longer demands FROM of the library that provides it (a version the system's
 * libstdc++ lacks) and the file keeps its size and layout. Symbols bound to FROM must be unversioned
 * first (patchelf --clear-symbol-version), else they would look for TO. patchelf cannot do this step,
 * hence this page of C; see docs/architecture.md, "Set-up scripts".
 * Exit 0 = retargeted, 3 = FROM not required (nothing to do), 1 = error (message on stderr). */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *data;
static long size;

static int in_file(unsigned long off, unsigned long len) { return off <= (unsigned long)size && len <= (unsigned long)size - off; }

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: retarget_verneed LIBRARY FROM TO\n"); return 1; }
    const char *path = argv[1], *from = argv[2], *to = argv[3];
    FILE *f = fopen(path, "r+b");
    if (!f) { perror(path); return 1; }
    fseek(f, 0, SEEK_END); size = ftell(f); fseek(f, 0, SEEK_SET);
    data = malloc(size);
    if (!data || fread(data, 1, size, f) != (size_t)size) { fprintf(stderr, "%s: cannot read\n", path); return 1; }

    Elf64_Ehdr *eh = (Elf64_Ehdr *)data;
    if (size < (long)sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64
        || eh->e_ident[EI_DATA] != ELFDATA2LSB) { fprintf(stderr, "%s: not a 64-bit little-endian ELF file\n", path); return 1; }
    if (!in_file(eh->e_shoff, (unsigned long)eh->e_shnum * sizeof(Elf64_Shdr))) { fprintf(stderr, "%s: bad section table\n", path); return 1; }
    Elf64_Shdr *sh = (Elf64_Shdr *)(data + eh->e_shoff);

    for (int s = 0; s < eh->e_shnum; s++) {
        if (sh[s].sh_type != SHT_GNU_verneed) continue;
        if (sh[s].sh_link >= eh->e_shnum || !in_file(sh[s].sh_offset, sh[s].sh_size)) break;
        Elf64_Shdr *strtab = &sh[sh[s].sh_link];
        const char *strs = (const char *)data + strtab->sh_offset;
        Elf64_Vernaux *from_aux = NULL, *to_aux = NULL;
        unsigned long need_off = sh[s].sh_offset;
        for (unsigned long n = 0; n < sh[s].sh_info; n++) {
            if (!in_file(need_off, sizeof(Elf64_Verneed))) break;
            Elf64_Verneed *need = (Elf64_Verneed *)(data + need_off);
            unsigned long aux_off = need_off + need->vn_aux;
            for (unsigned a = 0; a < need->vn_cnt; a++) {
                if (!in_file(aux_off, sizeof(Elf64_Vernaux))) break;
                Elf64_Vernaux *aux = (Elf64_Vernaux *)(data + aux_off);
                if (aux->vna_name < strtab->sh_size) {
                    const char *name = strs + aux->vna_name;
                    if (strcmp(name, from) == 0) from_aux = aux;
                    if (strcmp(name, to) == 0) to_aux = aux;
                }
                if (aux->vna_next == 0) break;
                aux_off += aux->vna_next;
            }
            if (need->vn_next == 0) break;
            need_off += need->vn_next;
        }
        if (!from_aux) { fprintf(stderr, "%s: does not require %s\n", path, from); return 3; }
        if (!to_aux) { fprintf(stderr, "%s: requires no %s entry to retarget %s to\n", path, to, from); return 1; }
        from_aux->vna_name = to_aux->vna_name;
        from_aux->vna_hash = to_aux->vna_hash;
        fseek(f, 0, SEEK_SET);
        if (fwrite(data, 1, size, f) != (size_t)size || fclose(f) != 0) { fprintf(stderr, "%s: cannot write\n", path); return 1; }
        return 0;
    }
    fprintf(stderr, "%s: has no readable .gnu.version_r section\n", path);
    return 1;
}
