/// Deterministic multilingual text for the parity tests, generated here (no third-party text): words
/// with upper-case contractions (`'S`, `'LL`), numbers of every length, CJK, emoji (with ZWJ and
/// flags), accents (precomposed and combining), other scripts, code, runs of spaces, tabs, NBSP,
/// ideographic spaces, control characters, `\n`, `\r\n`, blank lines, and the added tokens of SmolLM2 and Llama inside text.
enum MultilingualCorpus {
    /// SplitMix64: the same stream on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
    }

    static let words = [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Lathe", "runs", "recipes", "of", "stages", "token",
        "tokenizer", "model", "training", "data", "set", "is", "a", "an", "and", "or", "not", "with", "without", "into", "from",
        "fine-tuning", "LLaMA", "SmolLM2", "Qwen2", "Mistral", "weights", "gradient", "loss", "batch", "epoch", "learning",
        "rate", "Hello", "World", "HELLO", "WORLD", "naïve", "café", "résumé", "façade", "Ångström", "Ünïcödé", "straße",
        "Привет", "мир", "Γειά", "σου", "مرحبا", "بالعالم", "नमस्ते", "दुनिया", "日本語", "中文", "漢字", "東京", "北京",
        "한국어", "테스트", "テスト", "ひらがな", "カタカナ", "ß", "İstanbul", "ǅemal", "ﬁnance", "Ⅻ", "x²", "½", "٣",
    ]
    static let contractions = [
        "it's", "IT'S", "It'S", "we'll", "WE'LL", "they're", "THEY'RE", "They'Re", "I've", "I'VE", "I'm", "I'M", "I'd",
        "I'D", "don't", "DON'T", "'S", "'LL", "'s", "'ll", "'re", "'ve", "'m", "'d", "'t", "'T", "'ſ", "'ſt", "o'clock",
        "rock'n'roll", "''", "'", "' s",
    ]
    static let emoji = ["🙂", "🚀", "👍🏽", "👩‍💻", "🇫🇷", "❤️", "🎉", "🤖🤖", "🏳️‍🌈", "😀😃😄"]
    static let combining = ["e\u{301}", "a\u{308}", "n\u{303}o", "A\u{30A}", "\u{1100}\u{1161}", "i\u{307}"]
    static let code = [
        "(x) => x * 2;", "{\"key\": [1, 2, 3]}", "--", "...", "!!", "?!", "#include <stdio.h>", "a_b_c", "http://example.com/a?b=c&d=1",
        "x+=1", "f(x)", "[[0]]", "$HOME", "~/.cache", "<tag>", "</tag>", "<<<", ">>>", "§4b", "—", "“quoted”", "«guillemets»",
        "\\n", "C:\\Users\\x", "100%", "@user", "#hashtag", "a.b.c", "1.5e-3",
    ]
    /// Control characters (some have no token in SmolLM2's vocabulary) and rarer whitespace.
    static let controls = ["\u{04}", "\u{06}\u{13}", "\u{1D}", "\u{7F}", "\u{0B}", "\u{0C}", "\u{85}", "\u{2028}", "\u{200B}", "\u{FEFF}"]
    static let addedTokens = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<s>", "</s>", "[[custom]]"]
    static let separators = [" ", " ", " ", " ", " ", " ", " ", "  ", "   ", "\t", "\u{00A0}", "\u{3000}", "\u{2009}", " \t ", ""]
    static let lineEnds = ["\n", "\n", "\n", "\n", "\r\n", "\n\n", " \n", "\n   ", "\r\n\r\n", "\r", "  \n\n\n"]

    /// One number: 1 to 9 digits, sometimes with separators or a decimal part, or non-ASCII digits.
    static func number(_ r: inout Random) -> String {
        let n = String(r.next() % UInt64([10, 100, 1_000, 10_000, 1_000_000, 1_000_000_000][r.below(6)]))
        switch r.below(8) {
        case 0: return n + "." + String(r.below(1000))
        case 1: return "1,234,567"
        case 2: return "2026-12-0" + String(r.below(10))
        case 3: return "٣٤٥"
        case 4: return "１２３"
        default: return n
        }
    }

    /// A CJK ideograph drawn from the whole block: mostly unseen in training, so byte fallback runs.
    static func rareCharacter(_ r: inout Random) -> String {
        String(Unicode.Scalar(UInt32(0x4E00 + r.below(0x9FFF - 0x4E00)))!)
    }

    /// About `bytes` of text as lines; `seed` picks the stream.
    static func text(bytes: Int, seed: UInt64) -> String {
        var r = Random(state: seed)
        var out = ""
        out.reserveCapacity(bytes + 200)
        while out.utf8.count < bytes {
            let items = 1 + r.below(18)
            for i in 0..<items {
                if i > 0 { out += r.pick(separators) }
                switch r.below(40) {
                case 0..<18: out += r.pick(words)
                case 18..<22: out += r.pick(contractions)
                case 22..<26: out += number(&r)
                case 26..<28: out += r.pick(emoji)
                case 28..<29: out += r.pick(combining)
                case 29..<32: out += r.pick(code)
                case 32..<33: out += r.pick(addedTokens)
                case 33..<34: out += rareCharacter(&r)
                case 34..<36: out += r.pick(words).uppercased()
                case 36..<37: out += r.pick(words) + r.pick(addedTokens) + r.pick(words)
                case 37..<38: out += r.below(2) == 0 ? String(repeating: " ", count: 1 + r.below(8)) : r.pick(words) + r.pick(controls)
                default: out += r.pick(words) + r.pick([",", ".", ";", ":", "!", "?", "'s", "’s"])
                }
            }
            out += r.pick(lineEnds)
        }
        return out
    }

    /// `text` cut into pieces of 1 to 8 lines, each keeping its line ends.
    static func chunks(_ text: String, seed: UInt64) -> [String] {
        var r = Random(state: seed)
        var lines: [Substring] = []
        var start = text.startIndex
        for i in text.indices where text[i] == "\n" || text[i] == "\r\n" {
            lines.append(text[start...i])
            start = text.index(after: i)
        }
        if start < text.endIndex { lines.append(text[start...]) }
        var out: [String] = []
        var i = 0
        while i < lines.count {
            let n = 1 + r.below(8)
            out.append(lines[i..<min(lines.count, i + n)].joined())
            i += n
        }
        return out
    }
}
