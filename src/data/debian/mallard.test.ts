import { describe, expect, it } from 'vitest';
import { alignPage } from './mallard';
import { manParagraphs } from './man';

const page = (p: string[]): string => `<page xmlns="http://projectmallard.org/1.0/"><info><desc>${p[0]}</desc></info><title>${p[1]}</title><!-- <p>comment</p> --><steps><item><p>${p[2]}</p></item></steps></page>`;

describe('alignPage', () => {
  it('pairs text elements by position and refuses pages whose structure differs', () => {
    const en = page(['Connect to a network.', 'Wireless', 'Open the <gui>system menu</gui>.']);
    const de = page(['Mit einem Netzwerk verbinden.', 'Funknetz', 'Öffnen Sie das <gui>Systemmenü</gui>.']);
    expect(alignPage(en, de)).toEqual([
      ['Connect to a network.', 'Mit einem Netzwerk verbinden.'],
      ['Wireless', 'Funknetz'],
      ['Open the <gui>system menu</gui>.', 'Öffnen Sie das <gui>Systemmenü</gui>.'],
    ]);
    expect(alignPage(en, de.replace('</steps>', '<p>Extra.</p></steps>'))).toBeNull();
  });
});

describe('manParagraphs', () => {
  it('keeps running text and font-macro arguments, drops requests, comments and examples', () => {
    const roff = '.\\" comment\n.TH LS 1\n.SH NAME\nls \\- list directory contents\n.SH DESCRIPTION\nList information about the\n.B FILEs\n(the current directory by default).\n.PP\n.nf\nls \\-la\n.fi\nSort entries \\fIalphabetically\\fR \\(em by default.\n';
    expect(manParagraphs(roff)).toEqual(['ls - list directory contents', 'List information about the FILEs (the current directory by default).', 'Sort entries alphabetically — by default.']);
  });
});
