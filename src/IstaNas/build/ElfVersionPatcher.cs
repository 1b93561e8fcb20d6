// MSBuild inline task (RoslynCodeTaskFactory): compiled by MSBuild at build time, not part of IstaNas.dll.
// Makes symbol-version requirements of an ELF64 shared library that the host's libstdc++ cannot satisfy
// inert, when (and only when) no relocation uses the symbols bound to those versions.
#nullable enable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class IstaNasPatchElfVersionNeeds : Task
{
    /// <summary>Files patched where they are (through a temporary file beside each, renamed over it).</summary>
    public ITaskItem[] Files { get; set; } = new ITaskItem[0];

    /// <summary>
    /// Package files to bring into <see cref="OutputDirectory"/> (under their DestinationSubDirectory) already patched: the
    /// patched bytes go to a temporary file beside the destination, which is renamed over it. A process that loads the
    /// library while a build runs therefore sees the old file or the new one, never an unpatched or half-written one.
    /// </summary>
    public ITaskItem[] Sources { get; set; } = new ITaskItem[0];

    /// <summary>Where <see cref="Sources"/> go.</summary>
    public string OutputDirectory { get; set; } = "";

    /// <summary>The files written from <see cref="Sources"/> (for FileWrites, so that Clean removes them).</summary>
    [Output]
    public ITaskItem[] Written { get; set; } = new ITaskItem[0];

    public string Mode { get; set; } = "auto";

    private const ushort VerFlgWeak = 0x2;
    private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11, ShtVersym = 0x6fffffff, ShtVerneed = 0x6ffffffe;

    public override bool Execute()
    {
        string mode = (Mode ?? "auto").Trim().ToLowerInvariant();
        if (mode != "auto" && mode != "true")
        {
            Log.LogError("IstaNasPatchLibStdCxx='{0}' is not valid: use auto, true or false.", Mode);
            return false;
        }

        HashSet<string>? hostVersions = null;
        bool patch = true;
        if (mode == "auto")
        {
            string? lib = FindHostLibStdCxx();
            if (lib == null)
            {
                Log.LogMessage(MessageImportance.Normal, "IstaNas: no host libstdc++.so.6 found; libLibTorchSharp.so left as it is.");
                patch = false;
            }
            else
            {
                hostVersions = ReadDefinedVersions(lib);
                Log.LogMessage(MessageImportance.Low, "IstaNas: host libstdc++ is {0}", lib);
            }
        }

        var written = new List<ITaskItem>();
        foreach (ITaskItem item in Sources)
        {
            string destination = Path.Combine(OutputDirectory, item.GetMetadata("DestinationSubDirectory"), Path.GetFileName(item.ItemSpec));
            try
            {
                string outcome = CopyPatched(item.ItemSpec, destination, patch, hostVersions, out bool patchedCopy);
                LogOutcome(destination, outcome, patchedCopy);
                written.Add(new Microsoft.Build.Utilities.TaskItem(destination));
            }
            catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException)
            {
                Log.LogError("IstaNas could not write a copy of '{0}' loadable on this host's libstdc++ to '{1}': {2} " +
                             "Set -p:IstaNasPatchLibStdCxx=false to skip this step (see docs/troubleshooting.md).", item.ItemSpec, destination, ex.Message);
                return false;
            }
        }
        Written = written.ToArray();

        foreach (ITaskItem item in patch ? Files : new ITaskItem[0])
        {
            string path = item.ItemSpec;
            try
            {
                byte[] f = File.ReadAllBytes(path);
                string outcome = Patch(f, hostVersions, out bool changed);
                if (changed) ReplaceAtomically(path, f);
                LogOutcome(path, outcome, changed);
            }
            catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException)
            {
                Log.LogError("IstaNas could not make '{0}' loadable on this host's libstdc++: {1} " +
                             "Set -p:IstaNasPatchLibStdCxx=false to skip this step (see docs/troubleshooting.md).", path, ex.Message);
                return false;
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>
    /// Says what happened to one file: a build message (importance high, so it shows at the default verbosity) when the
    /// task wrote a patched library, a normal-importance one otherwise.
    /// </summary>
    private void LogOutcome(string path, string outcome, bool patched)
    {
        if (patched)
            Log.LogMessage(MessageImportance.High,
                "IstaNas: patched {0} so that it loads with an older libstdc++ (Debian 12, Ubuntu 22.04): {1} Only this copy changed (the NuGet cache is untouched); " +
                "set the MSBuild property IstaNasPatchLibStdCxx=false to turn this off.", path, outcome);
        else
            Log.LogMessage(MessageImportance.Normal, "IstaNas: {0}: {1}", path, outcome);
    }

    /// <summary>
    /// Brings <paramref name="source"/> to <paramref name="destination"/> patched (or as it is, when it needs no patch): the
    /// bytes go to a temporary file beside the destination, renamed over it; nothing is written when the destination already
    /// holds them. The source (in the NuGet cache) is only read.
    /// </summary>
    private static string CopyPatched(string source, string destination, bool patch, HashSet<string>? hostVersions, out bool patchedCopy)
    {
        byte[] f = File.ReadAllBytes(source);
        bool changed = false;
        string outcome = patch ? Patch(f, hostVersions, out changed) : "copied as it is";
        patchedCopy = false;
        if (File.Exists(destination) && BytesEqual(File.ReadAllBytes(destination), f))
            return "up to date (" + outcome + ")";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        ReplaceAtomically(destination, f);
        patchedCopy = changed;
        return "written from " + source + ": " + outcome;
    }

    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, flushed, then renamed over it (atomic).</summary>
    private static void ReplaceAtomically(string path, byte[] bytes)
    {
        string tmp = path + ".istanas-tmp-" + Process.GetCurrentProcess().Id;
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes, 0, bytes.Length);
                stream.Flush(true);
            }
            // A rename: atomic, and never writes through a hard link into the NuGet cache.
            if (File.Exists(path)) File.Replace(tmp, path, null);
            else File.Move(tmp, path);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    private static bool BytesEqual(byte[] a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }

    /// <summary>Patches the bytes of an ELF file in memory; says whether anything changed; returns what was done.</summary>
    private static string Patch(byte[] f, HashSet<string>? hostVersions, out bool changed)
    {
        changed = false;
        if (f.Length < 64 || f[0] != 0x7f || f[1] != (byte)'E' || f[2] != (byte)'L' || f[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file.");
        if (f[4] != 2 || f[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported.");

        ulong shoff = U64(f, 0x28);
        int shentsize = U16(f, 0x3A), shnum = U16(f, 0x3C);
        var sections = new List<Section>();
        for (int i = 0; i < shnum; i++)
        {
            int o = checked((int)shoff + i * shentsize);
            sections.Add(new Section
            {
                Type = U32(f, o + 4),
                Offset = checked((int)U64(f, o + 0x18)),
                Size = checked((int)U64(f, o + 0x20)),
                Link = (int)U32(f, o + 0x28),
                EntSize = checked((int)U64(f, o + 0x38)),
            });
        }

        Section? dynsym = sections.Find(s => s.Type == ShtDynsym);
        Section? versym = sections.Find(s => s.Type == ShtVersym);
        Section? verneed = sections.Find(s => s.Type == ShtVerneed);
        if (dynsym == null || versym == null || verneed == null)
            return "no symbol versioning; nothing to do.";
        Section dynstr = sections[verneed.Link];

        // Versions that this file needs from libstdc++ and the host does not define.
        var missing = new Dictionary<ushort, string>();
        var auxOffsets = new Dictionary<ushort, int>();
        int vn = verneed.Offset;
        while (true)
        {
            int cnt = U16(f, vn + 2);
            string file = CStr(f, dynstr.Offset + (int)U32(f, vn + 4));
            int aux = vn + (int)U32(f, vn + 8);
            for (int k = 0; k < cnt; k++)
            {
                ushort flags = U16(f, aux + 4), other = U16(f, aux + 6);
                string name = CStr(f, dynstr.Offset + (int)U32(f, aux + 8));
                bool isLibStdCxx = file.StartsWith("libstdc++", StringComparison.Ordinal);
                bool hostLacks = hostVersions == null ? name == "GLIBCXX_3.4.32" : !hostVersions.Contains(name);
                if (isLibStdCxx && hostLacks && (flags & VerFlgWeak) == 0)
                {
                    missing[other] = name;
                    auxOffsets[other] = aux;
                }
                uint next = U32(f, aux + 12);
                if (next == 0) break;
                aux += (int)next;
            }
            uint vnNext = U32(f, vn + 12);
            if (vnNext == 0) break;
            vn += (int)vnNext;
        }
        if (missing.Count == 0)
            return "the host libstdc++ provides every version it needs; left as it is.";

        // Symbols bound to those versions.
        Section symstr = sections[dynsym.Link];
        int nsyms = dynsym.Size / dynsym.EntSize;
        var symbols = new List<int>();
        for (int i = 1; i < nsyms; i++)
        {
            ushort v = (ushort)(U16(f, versym.Offset + 2 * i) & 0x7fff);
            if (missing.ContainsKey(v)) symbols.Add(i);
        }

        // Refuse when any relocation uses one of them: then the symbol is really called and must exist.
        var used = new HashSet<int>();
        foreach (Section s in sections)
        {
            if ((s.Type != ShtRela && s.Type != ShtRel) || s.Link >= sections.Count || sections[s.Link] != dynsym) continue;
            int ent = s.EntSize == 0 ? (s.Type == ShtRela ? 24 : 16) : s.EntSize;
            for (int o = s.Offset; o + ent <= s.Offset + s.Size; o += ent)
                used.Add((int)(U64(f, o + 8) >> 32));
        }
        foreach (int i in symbols)
        {
            if (used.Contains(i))
            {
                string name = CStr(f, symstr.Offset + (int)U32(f, dynsym.Offset + i * dynsym.EntSize));
                throw new InvalidDataException(
                    $"symbol '{name}' needs {missing[(ushort)(U16(f, versym.Offset + 2 * i) & 0x7fff)]} and is used by a relocation, " +
                    "so it cannot be made optional. Install a libstdc++ from GCC 13 or newer.");
            }
        }

        foreach (int i in symbols)
        {
            Put16(f, versym.Offset + 2 * i, 1); // VER_NDX_GLOBAL: no version required
            int st = dynsym.Offset + i * dynsym.EntSize + 4;
            f[st] = (byte)((2 << 4) | (f[st] & 0xf)); // STB_WEAK: may stay undefined
        }
        foreach (int aux in auxOffsets.Values)
            Put16(f, aux + 4, (ushort)(U16(f, aux + 4) | VerFlgWeak));

        changed = true;
        return $"made {string.Join(", ", missing.Values)} optional ({symbols.Count} unused marker symbol(s)).";
    }

    private static string? FindHostLibStdCxx()
    {
        try
        {
            var psi = new ProcessStartInfo("/sbin/ldconfig", "-p") { RedirectStandardOutput = true, UseShellExecute = false };
            using Process? p = Process.Start(psi);
            if (p != null)
            {
                string output = p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                string arch = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture
                              == System.Runtime.InteropServices.Architecture.Arm64 ? "AArch64" : "x86-64";
                foreach (string line in output.Split('\n'))
                {
                    string l = line.Trim();
                    if (!l.StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) || !l.Contains(arch)) continue;
                    int arrow = l.IndexOf("=> ", StringComparison.Ordinal);
                    if (arrow > 0 && File.Exists(l.Substring(arrow + 3).Trim())) return l.Substring(arrow + 3).Trim();
                }
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception || ex is IOException || ex is InvalidOperationException)
        {
            // fall through to the usual locations
        }
        foreach (string c in new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6",
                                     "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
                                     "/usr/lib/libstdc++.so.6" })
            if (File.Exists(c)) return c;
        return null;
    }

    /// <summary>Names in the version-definition section (e.g. GLIBCXX_3.4.30) of the host library.</summary>
    private static HashSet<string> ReadDefinedVersions(string lib)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        byte[] f = File.ReadAllBytes(lib);
        // A plain scan of the NUL-separated strings is enough: version names only appear in .dynstr.
        var sb = new StringBuilder();
        foreach (byte b in f)
        {
            if (b == 0)
            {
                if (sb.Length > 0 && (sb.ToString().StartsWith("GLIBCXX_", StringComparison.Ordinal) || sb.ToString().StartsWith("CXXABI_", StringComparison.Ordinal)))
                    result.Add(sb.ToString());
                sb.Clear();
            }
            else if (b >= 0x20 && b < 0x7f && sb.Length < 64) sb.Append((char)b);
            else sb.Clear();
        }
        return result;
    }

    private sealed class Section
    {
        public uint Type;
        public int Offset, Size, Link, EntSize;
    }

    private static ushort U16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);
    private static uint U32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
    private static ulong U64(byte[] b, int o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;
    private static void Put16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }

    private static string CStr(byte[] b, int o)
    {
        int e = o;
        while (e < b.Length && b[e] != 0) e++;
        return Encoding.ASCII.GetString(b, o, e - o);
    }
}
