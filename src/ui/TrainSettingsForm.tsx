// The run's settings: mode, then the numbers in groups (from FIELD_GROUPS), then the objective's
// choices (directions, template, where the loss counts) with a preview of one mapping example.
// Locked while a run is going; edits apply to the next Start.

import { useTrainStore, templateOf, type FormErrors } from '../store/train';
import { renderPrefix } from '../train/template';
import { FIELD_GROUPS } from './TrainFieldText';
import { TrainModeFields } from './TrainModeFields';
import { TrainNumberField } from './TrainNumberField';

export function TrainSettingsForm({ quant, errors }: { quant: 'q4' | 'q8' | 'f32'; errors: FormErrors }) {
  const form = useTrainStore((s) => s.form);
  const setChoice = useTrainStore((s) => s.setChoice);
  const locked = useTrainStore((s) => s.status?.state === 'running' || s.pending !== null);
  return (
    <section className="card train-settings" aria-labelledby="train-settings-title">
      <h3 id="train-settings-title">Settings</h3>
      <fieldset className="plain" disabled={locked}>
        <TrainModeFields quant={quant} errors={errors} />
        {FIELD_GROUPS.map((g) => (
          <fieldset key={g.title}>
            <legend>{g.title}</legend>
            <div className="fields">
              {g.fields.map((f) => (
                <TrainNumberField key={f} field={f} error={errors[f]} />
              ))}
            </div>
            {g.title === 'Objective' && (
              <div className="fields">
                <div className="field">
                  <label htmlFor="train-directions">Directions</label>
                  <select id="train-directions" value={form.directions} onChange={(e) => setChoice({ directions: e.target.value as 'both' | 'forward' })}>
                    <option value="both">both (A→B and B→A)</option>
                    <option value="forward">forward (A→B only)</option>
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="train-template">Template</label>
                  <select id="train-template" value={form.template} onChange={(e) => setChoice({ template: e.target.value as 'tags' | 'prompt' })}>
                    <option value="tags">tags (base models)</option>
                    <option value="prompt">prompt (instruct models)</option>
                  </select>
                </div>
                <div className="field">
                  <label htmlFor="train-loss-on">Loss on</label>
                  <select id="train-loss-on" value={form.lossOn} onChange={(e) => setChoice({ lossOn: e.target.value as 'target' | 'both' })}>
                    <option value="target">target sentence only</option>
                    <option value="both">source and target</option>
                  </select>
                </div>
                <TemplatePreview />
              </div>
            )}
          </fieldset>
        ))}
      </fieldset>
    </section>
  );
}

/** One mapping example as the model will read it, for the first chosen pair. */
function TemplatePreview() {
  const form = useTrainStore((s) => s.form);
  const pair = useTrainStore((s) => s.pairs[0]);
  const tuple = useTrainStore((s) => s.corpus?.train[0]);
  const [a, b] = pair ?? ['en', 'cs'];
  const src = tuple?.[a] ?? 'Good morning.';
  const tgt = tuple?.[b] ?? 'Dobré ráno.';
  return (
    <p className="template-preview" data-testid="template-preview">
      <span className={form.lossOn === 'both' ? 'loss-on' : 'loss-off'}>{renderPrefix(templateOf(form), a, src, b)}</span>
      <span className="loss-on">{tgt}</span>
      <span className="loss-on">⏎</span>
      <span className="hint"> — underlined tokens carry the mapping loss.</span>
    </p>
  );
}
