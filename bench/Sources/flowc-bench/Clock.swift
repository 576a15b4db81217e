import Foundation

/// CPU and wall time of a piece of work, in seconds.
struct Sample {
    var cpu: Double
    var wall: Double

    static func + (a: Sample, b: Sample) -> Sample { Sample(cpu: a.cpu + b.cpu, wall: a.wall + b.wall) }
    static func - (a: Sample, b: Sample) -> Sample { Sample(cpu: a.cpu - b.cpu, wall: a.wall - b.wall) }
}

enum Clock {
    static func now(_ id: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Writes every dirty page of the system's file cache to disk (`sync`), so that the next
    /// measure does not pay for the writeback of files written before it: a store copied just
    /// before the run (gigabytes, at 1,000,000 deals), or the previous round's files. Without
    /// it, a sweep right after `cp` of its store took 3.1–3.5 s where it takes 2.2–2.5 s.
    static func settleDisk() {
        sync()
    }

    /// Times `body` in process CPU time and monotonic wall time.
    static func measure<T>(_ body: () throws -> T) rethrows -> (T, Sample) {
        let c0 = now(CLOCK_PROCESS_CPUTIME_ID)
        let w0 = now(CLOCK_MONOTONIC)
        let r = try body()
        let w1 = now(CLOCK_MONOTONIC)
        let c1 = now(CLOCK_PROCESS_CPUTIME_ID)
        return (r, Sample(cpu: c1 - c0, wall: w1 - w0))
    }

    /// Peak resident set size of this process, in MiB.
    static func maxRSSMiB() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_maxrss) / 1024
    }
}

extension Array where Element == Double {
    var median: Double {
        guard !isEmpty else { return .nan }
        let s = sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Formats seconds as milliseconds with three significant-ish digits.
func ms(_ s: Double) -> String { String(format: "%.1f", s * 1000) }
