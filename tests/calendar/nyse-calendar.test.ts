// Expected values come from the NYSE's published holiday and early-close notices (not from this code):
// each year's list below is what the exchange announced for that year.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  countSessions,
  easterSunday,
  expectedDailyBars,
  expectedMinuteBars,
  isoDateOf,
  isSession,
  newYorkDate,
  nextSession,
  nonSessionReason,
  previousSession,
  sessionAtInstant,
  sessionOn,
  sessions,
} from "../../src/domain/calendar/index.ts";

const PUBLISHED_HOLIDAYS: Record<number, readonly string[]> = {
  1995: ["1995-01-02", "1995-02-20", "1995-04-14", "1995-05-29", "1995-07-04", "1995-09-04", "1995-11-23", "1995-12-25"],
  1997: ["1997-01-01", "1997-02-17", "1997-03-28", "1997-05-26", "1997-07-04", "1997-09-01", "1997-11-27", "1997-12-25"],
  2004: ["2004-01-01", "2004-01-19", "2004-02-16", "2004-04-09", "2004-05-31", "2004-06-11", "2004-07-05", "2004-09-06", "2004-11-25", "2004-12-24"],
  2011: ["2011-01-17", "2011-02-21", "2011-04-22", "2011-05-30", "2011-07-04", "2011-09-05", "2011-11-24", "2011-12-26"],
  2015: ["2015-01-01", "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25", "2015-07-03", "2015-09-07", "2015-11-26", "2015-12-25"],
  2021: ["2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24"],
  2022: ["2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26"],
  2024: ["2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25"],
  2025: ["2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04", "2025-09-01", "2025-11-27", "2025-12-25"],
  2026: ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25"],
};

function weekdaysOf(year: number): string[] {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t <= Date.UTC(year, 11, 31); t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe("NYSE holidays", () => {
  for (const [year, holidays] of Object.entries(PUBLISHED_HOLIDAYS)) {
    it(`closes on exactly the published weekdays of ${year}`, () => {
      const closedWeekdays = weekdaysOf(Number(year)).filter((date) => !isSession(date));
      expect(closedWeekdays).toEqual(holidays);
    });
  }

  it("matches the published number of sessions per year", () => {
    // Trading days per year as announced by the exchange.
    const published: Record<number, number> = { 2001: 248, 2012: 250, 2019: 252, 2020: 253, 2021: 252, 2022: 251, 2023: 250, 2024: 252, 2025: 250 };
    for (const [year, count] of Object.entries(published)) {
      expect(countSessions(`${year}-01-01`, `${year}-12-31`), year).toBe(count);
      expect(sessions(`${year}-01-01`, `${year}-12-31`)).toHaveLength(count);
    }
  });

  it("does not observe a Saturday New Year's Day on the Friday before", () => {
    for (const date of ["1993-12-31", "1999-12-31", "2004-12-31", "2010-12-31", "2021-12-31", "2027-12-31", "2032-12-31"]) {
      expect(isSession(date), date).toBe(true);
    }
  });

  it("observes other Saturday holidays on Friday and Sunday holidays on Monday", () => {
    expect(nonSessionReason("2020-07-03")).toMatchObject({ reason: "holiday", name: "Independence Day" });
    expect(nonSessionReason("2021-07-05")).toMatchObject({ reason: "holiday", name: "Independence Day" });
    expect(nonSessionReason("2027-06-18")).toMatchObject({ reason: "holiday", name: "Juneteenth" });
    expect(nonSessionReason("2022-12-26")).toMatchObject({ reason: "holiday", name: "Christmas Day" });
    expect(nonSessionReason("2017-01-02")).toMatchObject({ reason: "holiday" });
    expect(nonSessionReason("1999-12-24")).toMatchObject({ reason: "holiday", name: "Christmas Day" });
  });

  it("starts MLK Day in 1998 and Juneteenth in 2022", () => {
    expect(isSession("1997-01-20")).toBe(true); // third Monday of January 1997
    expect(isSession("1998-01-19")).toBe(false);
    expect(isSession("2021-06-18")).toBe(true); // the federal holiday was new; the NYSE stayed open
    expect(isSession("2022-06-20")).toBe(false);
  });

  it("closes on Good Friday, two days before Gregorian Easter", () => {
    // Easter dates from the published tables (e.g. the US Naval Observatory's).
    const easter: Record<number, string> = { 1990: "1990-04-15", 2000: "2000-04-23", 2008: "2008-03-23", 2011: "2011-04-24", 2019: "2019-04-21", 2024: "2024-03-31", 2035: "2035-03-25" };
    for (const [year, date] of Object.entries(easter)) {
      expect(isoDateOf(easterSunday(Number(year)))).toBe(date);
      const goodFriday = isoDateOf(easterSunday(Number(year)) - 2);
      expect(nonSessionReason(goodFriday)).toMatchObject({ reason: "holiday", name: "Good Friday" });
    }
  });

  it("closes for the unscheduled events and opens around them", () => {
    const closed = ["1994-04-27", "2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2004-06-11", "2007-01-02", "2012-10-29", "2012-10-30", "2018-12-05", "2025-01-09"];
    for (const date of closed) expect(nonSessionReason(date), date).toMatchObject({ reason: "unscheduled" });
    expect(previousSession("2001-09-17")).toBe("2001-09-10");
    expect(nextSession("2012-10-26")).toBe("2012-10-31");
    expect(isSession("2018-12-04")).toBe(true);
    expect(isSession("2018-12-06")).toBe(true);
  });
});

describe("NYSE early closes and minute bars", () => {
  it("closes at 13:00 on the recent customary days", () => {
    for (const date of ["2024-07-03", "2024-11-29", "2024-12-24", "2019-07-03", "2013-07-03", "2023-07-03", "2025-12-24", "2001-07-03"]) {
      expect(sessionOn(date), date).toMatchObject({ open: "09:30", close: "13:00", minutes: 210 });
      expect(expectedMinuteBars(date), date).toBe(210);
    }
  });

  it("closed early on Friday July 5 instead of Wednesday July 3 before 2013", () => {
    expect(sessionOn("2002-07-03")).toMatchObject({ close: "16:00" });
    expect(sessionOn("2002-07-05")).toMatchObject({ close: "13:00" });
    expect(sessionOn("1996-07-05")).toMatchObject({ close: "13:00" });
    expect(sessionOn("2013-07-05")).toMatchObject({ close: "16:00" });
    expect(sessionOn("2024-07-05")).toMatchObject({ close: "16:00" });
  });

  it("used 14:00 early closes before 1993", () => {
    expect(sessionOn("1990-12-24")).toMatchObject({ close: "14:00", minutes: 270 });
    expect(sessionOn("1992-11-27")).toMatchObject({ close: "14:00" });
    expect(sessionOn("1993-11-26")).toMatchObject({ close: "13:00" });
    expect(sessionOn("1991-11-29")).toMatchObject({ close: "16:00" }); // day after Thanksgiving was a full day until 1992
  });

  it("closed at 13:00 on the Friday after a Thursday Christmas only in 1997 and 2003", () => {
    expect(sessionOn("1997-12-26")).toMatchObject({ close: "13:00" });
    expect(sessionOn("2003-12-26")).toMatchObject({ close: "13:00" });
    expect(sessionOn("2008-12-26")).toMatchObject({ close: "16:00" });
    expect(sessionOn("2014-12-26")).toMatchObject({ close: "16:00" });
  });

  it("records unscheduled late opens and early closes", () => {
    expect(sessionOn("1996-01-08")).toMatchObject({ open: "11:00", close: "14:00", minutes: 180 });
    expect(sessionOn("2002-09-11")).toMatchObject({ open: "12:00", minutes: 240 });
    expect(sessionOn("1997-10-27")).toMatchObject({ close: "15:30" });
  });

  it("expects 390 minutes and 1 daily bar on a regular day and nothing on a closed one", () => {
    expect(expectedMinuteBars("2024-07-02")).toBe(390);
    expect(expectedDailyBars("2024-07-02")).toBe(1);
    expect(expectedMinuteBars("2024-07-04")).toBe(0);
    expect(expectedDailyBars("2024-07-06")).toBe(0);
  });

  it("converts the open to UTC with the daylight-saving rules of each era", () => {
    const openUtc = (date: string): string => new Date(sessionOn(date)?.openMs ?? Number.NaN).toISOString();
    expect(openUtc("2024-03-08")).toBe("2024-03-08T14:30:00.000Z"); // EST
    expect(openUtc("2024-03-11")).toBe("2024-03-11T13:30:00.000Z"); // EDT from the second Sunday of March
    expect(openUtc("2006-03-31")).toBe("2006-03-31T14:30:00.000Z"); // EST: pre-2007 DST began in April
    expect(openUtc("2006-04-03")).toBe("2006-04-03T13:30:00.000Z");
    expect(openUtc("2006-10-30")).toBe("2006-10-30T14:30:00.000Z"); // ended the last Sunday of October
    expect(sessionAtInstant(Date.parse("2024-07-03T16:59:00Z"))).toMatchObject({ minute: 209 });
    expect(sessionAtInstant(Date.parse("2024-07-03T17:00:00Z"))).toBeUndefined();
  });
});

describe("session navigation", () => {
  it("steps over weekends and holidays", () => {
    expect(nextSession("2024-12-24")).toBe("2024-12-26");
    expect(nextSession("2024-03-28")).toBe("2024-04-01");
    expect(previousSession("2025-01-10")).toBe("2025-01-08");
    expect(previousSession("2024-01-02")).toBe("2023-12-29");
  });

  it("finds the adjacent sessions of any date, with no session in between", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 10), max: Date.UTC(2035, 11, 20) }), (t) => {
        const date = new Date(t).toISOString().slice(0, 10);
        const next = nextSession(date);
        const previous = previousSession(date);
        expect(next > date && previous < date).toBe(true);
        expect(isSession(next) && isSession(previous)).toBe(true);
        expect(countSessions(previous, next)).toBe(isSession(date) ? 3 : 2);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses malformed dates and dates outside 1990–2035", () => {
    expect(() => isSession("2024-02-30")).toThrow(/YYYY-MM-DD/);
    expect(() => isSession("2024-7-3")).toThrow(/YYYY-MM-DD/);
    expect(() => isSession("1989-12-29")).toThrow(/outside/);
    expect(() => nextSession("2035-12-31")).toThrow(/no session after/);
    expect(() => sessions("2024-02-01", "2024-01-01")).toThrow(/before it starts/);
  });
});

describe("newYorkDate", () => {
  it("gives the New York date of a UTC instant across midnight UTC and both DST regimes", () => {
    // 2024-07-02 01:00 UTC is 21:00 EDT on July 1; 2024-01-02 04:59 UTC is 23:59 EST on January 1.
    expect(newYorkDate(Date.UTC(2024, 6, 2, 1, 0))).toBe("2024-07-01");
    expect(newYorkDate(Date.UTC(2024, 6, 2, 4, 0))).toBe("2024-07-02");
    expect(newYorkDate(Date.UTC(2024, 0, 2, 4, 59))).toBe("2024-01-01");
    expect(newYorkDate(Date.UTC(2024, 0, 2, 5, 0))).toBe("2024-01-02");
  });
});
