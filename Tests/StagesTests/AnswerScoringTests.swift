import Foundation
import Stages
import Testing

/// `exact_match`, `token_f1` and label `accuracy` on strings whose scores were worked out by hand.
@Suite struct AnswerScoringTests {
    @Test(arguments: [
        ("  Paris\n", "Paris", true),          // ends trimmed
        ("New \t York", "New York", true),     // a whitespace run is one space
        ("paris", "Paris", false),             // case matters
        ("Paris.", "Paris", false),            // punctuation matters
        ("", "", true),
    ])
    func exactMatchNormalisesOnlyWhitespace(_ answer: String, _ reference: String, _ expected: Bool) {
        #expect(AnswerScoring.exactMatch(answer, reference) == expected)
    }

    @Test(arguments: [
        // pred tokens [cat, sat, on, mat] (articles dropped), gold [cat, on, mat]: 3 shared;
        // P = 3/4, R = 3/3, F1 = 2·(3/4)·1 / (7/4) = 6/7.
        ("The cat sat on the mat.", "a cat on a mat", 6.0 / 7.0),
        // [ash, beetles] vs [ash, water]: 1 shared, P = R = 1/2, F1 = 1/2.
        ("ash beetles", "ash water", 0.5),
        // multiset overlap: pred [x, x, y], gold [x, y, y] share one x and one y: P = R = 2/3, F1 = 2/3.
        ("x x y", "x y y", 2.0 / 3.0),
        // punctuation and case removed: [hello] vs [hello].
        ("Hello!", "hello", 1.0),
        ("peat", "ash water", 0.0),
        ("", "", 1.0),          // both empty (SQuAD v2)
        ("the", "peat", 0.0),   // only an article: empty prediction
    ])
    func tokenF1MatchesSQuAD(_ answer: String, _ reference: String, _ expected: Double) {
        #expect(abs(AnswerScoring.tokenF1(answer, reference) - expected) < 1e-12)
    }

    @Test func labelAccuracyCountsTheAnswersThatGiveTheLabel() {
        let cases: [(answer: String, label: String)] = [
            ("Positive.\nThe review praises the chisel.", "positive"),  // first line, punctuation trimmed → right
            ("positive because it cut clean", "positive"),              // first word of a one-word label → right
            ("  NEGATIVE", "negative"),                                 // case and spaces → right
            ("not positive", "positive"),                               // first word 'not' → wrong
            ("ash beetles attack it", "ash beetles"),                   // two-word label needs the whole first line → wrong
            ("Ash beetles!", "ash beetles"),                            // → right
            ("", "positive"),                                           // nothing → wrong
        ]
        let right = cases.filter { AnswerScoring.labelMatch($0.answer, label: $0.label) }.count
        // By hand: cases 1, 2, 3 and 6 are right → 4 of 7.
        #expect(right == 4)
        #expect(!AnswerScoring.labelMatch("negative", label: "positive"))
    }
}
