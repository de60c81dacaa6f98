// A tiny hand-written parallel corpus in the eight languages of the paper's evaluation pairs
// (EN-ZH, EN-CS, CS-UK, ZH-JA) plus DE/FR/ES: for tests and demos, small enough to read by eye.

import type { ParallelCorpus } from './corpus';

export const SAMPLE_LANGUAGES = ['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk'];

export const SAMPLE_CORPUS: ParallelCorpus = {
  languages: SAMPLE_LANGUAGES,
  ids: ['s1', 's2', 's3', 's4', 's5'],
  tuples: [
    {
      en: 'The library opens at nine in the morning.',
      zh: '图书馆早上九点开门。',
      ja: '図書館は朝九時に開きます。',
      de: 'Die Bibliothek öffnet um neun Uhr morgens.',
      fr: 'La bibliothèque ouvre à neuf heures du matin.',
      es: 'La biblioteca abre a las nueve de la mañana.',
      cs: 'Knihovna otevírá v devět hodin ráno.',
      uk: "Бібліотека відкривається о дев'ятій ранку.",
    },
    {
      en: 'My brother lives near the sea.',
      zh: '我哥哥住在海边。',
      ja: '兄は海の近くに住んでいます。',
      de: 'Mein Bruder wohnt in der Nähe des Meeres.',
      fr: 'Mon frère habite près de la mer.',
      es: 'Mi hermano vive cerca del mar.',
      cs: 'Můj bratr bydlí blízko moře.',
      uk: 'Мій брат живе біля моря.',
    },
    {
      en: 'It rained all day yesterday.',
      zh: '昨天下了一整天的雨。',
      ja: '昨日は一日中雨が降りました。',
      de: 'Gestern hat es den ganzen Tag geregnet.',
      fr: 'Il a plu toute la journée hier.',
      es: 'Ayer llovió todo el día.',
      cs: 'Včera celý den pršelo.',
      uk: 'Учора цілий день ішов дощ.',
    },
    {
      en: 'Could you help me carry this box?',
      zh: '你能帮我搬这个箱子吗？',
      ja: 'この箱を運ぶのを手伝ってもらえますか？',
      de: 'Kannst du mir helfen, diese Kiste zu tragen?',
      fr: "Peux-tu m'aider à porter cette boîte ?",
      es: '¿Puedes ayudarme a llevar esta caja?',
      cs: 'Můžeš mi pomoct odnést tuhle krabici?',
      uk: 'Чи можеш ти допомогти мені віднести цю коробку?',
    },
    {
      en: 'We are learning to cook Italian food.',
      zh: '我们正在学做意大利菜。',
      ja: '私たちはイタリア料理の作り方を習っています。',
      de: 'Wir lernen, italienisches Essen zu kochen.',
      fr: 'Nous apprenons à cuisiner des plats italiens.',
      es: 'Estamos aprendiendo a cocinar comida italiana.',
      cs: 'Učíme se vařit italská jídla.',
      uk: 'Ми вчимося готувати італійські страви.',
    },
  ],
};
