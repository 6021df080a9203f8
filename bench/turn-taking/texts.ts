/** What the corpus's callers, bot and babble say. */

/** Finished questions, about 1-4 s each. */
export const QUESTIONS: readonly string[] = [
  'What time do you open on Saturday?',
  'Can I book a table for four people tonight?',
  'Do you have any rooms available next weekend?',
  'How much does the standard delivery cost?',
  'Is the pharmacy on Main Street still open?',
  'Could you tell me where you are located?',
  'I need to change my appointment to Friday morning.',
  'Is there parking near the entrance?',
  'When will my order arrive?',
  'Can I speak to someone about my bill?',
  'Do you take credit cards?',
  'My flight number is four two seven, is it on time?',
];

/** Long sentences, cut inside for the mid-sentence pause cases. */
export const LONG_SENTENCES: readonly string[] = [
  'I would like to book a table for two people tonight at eight.',
  'Could you please send the invoice to my office address in Leeds?',
  'My daughter has a dentist appointment that we need to move to next week.',
  'I am calling about the parcel that was supposed to arrive yesterday afternoon.',
  'We want to rent a small car for three days starting on Monday.',
  'Can you check whether the blue jacket is still available in medium?',
  'I have been waiting for the technician since early this morning.',
  'Please cancel the order I placed last Tuesday for the kitchen chairs.',
  'The heating in our apartment stopped working again last night.',
  'I would like to know if the museum is open on public holidays.',
];

/** Bot replies: about 4-5 s, long enough to be interrupted 1-3 s in. */
export const BOT_REPLIES: readonly string[] = [
  'Sure, we are open from nine in the morning until six in the evening on weekdays.',
  'Your order left our warehouse this morning and should arrive tomorrow before noon.',
  'We have two rooms left for next weekend, a double and a twin on the second floor.',
  'Standard delivery costs four pounds fifty and takes two to three working days.',
];

export const GREETINGS: readonly string[] = [
  'Hello, and thank you for calling Riverside Dental. This call may be recorded. How can I help you today?',
  'Good afternoon, you have reached the city library information line. How may I help?',
];

/** What the babble talkers say (other conversations in the room). */
export const BABBLE_TEXTS: readonly string[] = [
  'So I told him that the meeting was moved to Thursday, but he never checked his email, and then the whole team waited for an hour.',
  'The weather was lovely at the coast last weekend, we walked along the cliffs and had fish and chips by the harbour.',
  'If you turn left after the bakery you will see the bus stop, the number twelve goes straight to the station every ten minutes.',
  'My brother just bought a new bicycle, a red one with twenty gears, and now he rides to work every single day, even in the rain.',
];
