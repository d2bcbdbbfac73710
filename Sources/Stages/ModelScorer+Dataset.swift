import Datasets
import Modeling
import Orchestration
import Recipes

/// What scoring one model on one evaluation data set measured.
struct DatasetScore {
    /// Metric name (``EvaluationTable/metricNames``) → value; forgetting is added later, across models.
    var values: [String: Double] = [:]
    /// Tokens the loss was averaged over.
    var scoredTokens = 0
    /// Tokens generated for exact_match / token_f1 / accuracy.
    var generatedTokens = 0
}

extension ModelScorer {
    /// Scores `dataset`'s metrics: loss/perplexity in one pass over the encoded data; then, when any
    /// generation metric is asked for, one greedy answer per record (until EOS or `maxNewTokens`)
    /// shared by exact_match, token_f1 and label accuracy; with `choices`, accuracy instead picks the
    /// most likely choice. With `template`, records are rendered by it (``EvaluationDataset/scored(with:)``)
    /// and generation also stops at its end-of-turn token. Checks `isCancelled` between records.
    func score(_ dataset: EvaluationDataset, template: ChatTemplate? = nil, sequenceLength: Int, batchSize: Int, maxNewTokens: Int,
               isCancelled: () -> Bool) throws -> DatasetScore {
        var score = DatasetScore()
        let metrics = Set(dataset.metrics)
        let records = try dataset.scored(with: template)
        if !metrics.isDisjoint(with: [.loss, .perplexity, .forgetting]) {
            let encoded = try DatasetEncoder.encode(records.examples, tokenizer: tokenizer)
            let result = try loss(encoded, sequenceLength: sequenceLength, batchSize: batchSize, packed: dataset.isInstruction)
            if metrics.contains(.loss) { score.values["loss"] = result.meanLoss }
            if metrics.contains(.perplexity) || metrics.contains(.forgetting) { score.values["perplexity"] = result.perplexity }
            score.scoredTokens = result.targetTokens
        }
        let wantsAnswers = metrics.contains(.exactMatch) || metrics.contains(.tokenF1)
            || (metrics.contains(.accuracy) && dataset.choices == nil)
        guard dataset.isInstruction, wantsAnswers || metrics.contains(.accuracy) else { return score }
        var exact = 0, correct = 0, f1 = 0.0
        let greedy = GenerationOptions(maxNewTokens: maxNewTokens, temperature: 0, stopTokens: stopTokens(template))
        for (i, example) in records.prompts.enumerated() {
            if isCancelled() { throw StageCancelled() }
            let prompt = promptTokens(example)
            let reference = records.references[i]
            if wantsAnswers {
                let (answer, count) = try continuation(prompt, options: greedy)
                score.generatedTokens += count
                if AnswerScoring.exactMatch(answer, reference) { exact += 1 }
                f1 += AnswerScoring.tokenF1(answer, reference)
                if dataset.choices == nil && AnswerScoring.labelMatch(answer, label: reference) { correct += 1 }
            }
            if let choices = dataset.choices?[i] {
                let best = try bestChoice(prompt: prompt, choices: choices)
                if AnswerScoring.labelForm(choices[best]) == AnswerScoring.labelForm(reference) { correct += 1 }
            }
        }
        let n = Double(records.prompts.count)
        if metrics.contains(.exactMatch) { score.values["exact_match"] = Double(exact) / n }
        if metrics.contains(.tokenF1) { score.values["token_f1"] = f1 / n }
        if metrics.contains(.accuracy) { score.values["accuracy"] = Double(correct) / n }
        return score
    }
}
