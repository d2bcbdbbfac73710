/// GPT-2 pre-tokenizer splits generated once with HF `tokenizers` 0.23.3:
/// `pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True).pre_tokenize_str(text)`.
/// Pieces are in byte-level form (`Ġ` = space). The texts are the project's own.
enum PreTokenizerFixtures {
    static let cases: [(text: String, pieces: [String])] = [
        ("Hello, world", ["Hello", ",", "Ġworld"]),
        ("Lathe's recipes don't re-run stages they've cached; we'll see, I'm sure it'd work.", ["Lathe", "'s", "Ġrecipes", "Ġdon", "'t", "Ġre", "-", "run", "Ġstages", "Ġthey", "'ve", "Ġcached", ";", "Ġwe", "'ll", "Ġsee", ",", "ĠI", "'m", "Ġsure", "Ġit", "'d", "Ġwork", "."]),
        ("  two leading spaces and trailing   ", ["Ġ", "Ġtwo", "Ġleading", "Ġspaces", "Ġand", "Ġtrailing", "ĠĠĠ"]),
        ("tabs\tand\nnewlines\r\nand\n\n\nblank lines", ["tabs", "ĉ", "and", "Ċ", "newlines", "č", "Ċ", "and", "ĊĊ", "Ċ", "blank", "Ġlines"]),
        ("numbers 12345 and 3.14159 and x2y3", ["numbers", "Ġ12345", "Ġand", "Ġ3", ".", "14159", "Ġand", "Ġx", "2", "y", "3"]),
        ("UPPER lower MiXeD 'S 'T", ["UPPER", "Ġlower", "ĠMiXeD", "Ġ'", "S", "Ġ'", "T"]),
        ("日本語のテキスト 和 中文", ["æĹ¥æľ¬èªŀãģ®ãĥĨãĤŃãĤ¹ãĥĪ", "ĠåĴĮ", "Ġä¸Ńæĸĩ"]),
        ("emoji 🙂🚀 and café naïve", ["emoji", "ĠðŁĻĤðŁļĢ", "Ġand", "ĠcafÃ©", "ĠnaÃ¯ve"]),
        ("symbols !!! ??? ... --- === +++ @#$%^&*()", ["symbols", "Ġ!!!", "Ġ???", "Ġ...", "Ġ---", "Ġ===", "Ġ+++", "Ġ@#$%^&*()"]),
        ("   \n  \n indented", ["ĠĠĠĊĠĠĊ", "Ġindented"]),
        ("a\u{a0}b\u{2003}c\u{3000}d", ["a", "Âł", "b", "âĢĥ", "c", "ãĢĢ", "d"]),
        ("Ⅻ roman ½ fraction ٣ arabic-indic", ["âħ«", "Ġroman", "ĠÂ½", "Ġfraction", "ĠÙ£", "Ġarabic", "-", "indic"]),
        ("'s 't 're 've 'm 'll 'd 'x ''s", ["'s", "Ġ'", "t", "Ġ'", "re", "Ġ'", "ve", "Ġ'", "m", "Ġ'", "ll", "Ġ'", "d", "Ġ'", "x", "Ġ''", "s"]),
        ("end with space ", ["end", "Ġwith", "Ġspace", "Ġ"]),
        ("x", ["x"]),
        ("", []),
        (" ", ["Ġ"]),
        ("\n", ["Ċ"]),
        ("<|endoftext|> inline special", ["<|", "endoftext", "|>", "Ġinline", "Ġspecial"]),
        ("don't STOP'S", ["don", "'t", "ĠSTOP", "'", "S"]),
        ("mixed123abc 456def", ["mixed", "123", "abc", "Ġ456", "def"]),
        ("  \t  word", ["ĠĠĉĠ", "Ġword"]),
        ("a  b   c    d", ["a", "Ġ", "Ġb", "ĠĠ", "Ġc", "ĠĠĠ", "Ġd"]),
        ("line one\n  line two\n\tline three", ["line", "Ġone", "ĊĠ", "Ġline", "Ġtwo", "Ċ", "ĉ", "line", "Ġthree"]),
    ]
}
